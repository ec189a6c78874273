import { ConfigError } from '../config/config';
import { Server, type ServerCredentials } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ServerGrpc } from '@nestjs/microservices';
import type { CallPipeline } from './call-pipeline';
import { unaryHandlerOf, type NestGrpcHandler } from './nest-unary';
import { definitionForServing } from './serving-definition';
import { refuseUnparsableRequests } from './unparsable-requests';

/**
 * The largest request a server reads (grpc-js's own default, stated so that it is a decision): larger
 * ones are refused with RESOURCE_EXHAUSTED "Received message larger than max (<size> vs 4194304)"
 * before any handler runs. No Streamplane request comes near it; a caller that sends one is broken or hostile.
 */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

export interface TransportOptions {
  host: string;
  port: number;
  /** Package(s) whose services Nest maps onto @GrpcMethod handlers. */
  packageName: string;
  packageDefinition: PackageDefinition;
  pipeline: CallPipeline;
  /** Plaintext, or mutual TLS requiring a client certificate of every caller (see transport-security.ts). */
  credentials: ServerCredentials;
  /** Adds the platform's own services (health, reflection) once the server exists. */
  onServerCreated: (server: Server) => void;
}

/**
 * Binds `server` to host:port and resolves with the bound port (port 0 picks one). A port another process
 * holds is a ConfigError naming `variable`: retrying will not change that.
 */
export function bindServer(
  server: Server,
  host: string,
  port: number,
  credentials: ServerCredentials,
  variable: string,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, credentials, (error, bound) => {
      if (!error) resolve(bound);
      else if (error.message.includes('EADDRINUSE')) {
        reject(new ConfigError([`${variable}: port ${port} on ${host} is already in use`]));
      } else reject(error);
    });
  });
}

export type DrainOutcome = 'drained' | 'cut-off';

/**
 * NestJS's gRPC transport, with the platform in control of the parts Nest leaves out: every unary handler
 * runs inside the call pipeline, a request that does not parse is INVALID_ARGUMENT (not grpc-js's
 * INTERNAL), requests are bounded in size, the bound port is known (so port 0 works), and shutdown drains
 * in-flight calls within a bound instead of cutting them off or waiting forever.
 */
export class PlatformGrpcTransport extends ServerGrpc {
  private server?: Server;
  private boundPort?: number;
  private drainPromise?: Promise<DrainOutcome>;

  constructor(private readonly setup: TransportOptions) {
    super({
      url: `${setup.host}:${setup.port}`,
      package: setup.packageName,
      packageDefinition: definitionForServing(setup.packageDefinition),
      gracefulShutdown: true,
    });
  }

  get port(): number {
    if (this.boundPort === undefined) throw new Error('the gRPC server is not listening yet');
    return this.boundPort;
  }

  override async createClient(): Promise<Server> {
    const server = new Server({ 'grpc.max_receive_message_length': MAX_REQUEST_BYTES });
    this.boundPort = await bindServer(server, this.setup.host, this.setup.port, this.setup.credentials, 'GRPC_PORT');
    this.server = server;
    this.setup.onServerCreated(server);
    return server;
  }

  override createUnaryServiceMethod(methodHandler: Function): Function {
    return this.setup.pipeline.wrap(refuseUnparsableRequests(unaryHandlerOf(methodHandler as NestGrpcHandler)));
  }

  /**
   * Stops accepting calls and lets the ones in flight finish; after `timeoutMs` the rest are cut off.
   * Safe to call more than once.
   */
  drain(timeoutMs: number): Promise<DrainOutcome> {
    const server = this.server;
    if (!server) return Promise.resolve('drained');
    this.drainPromise ??= new Promise<DrainOutcome>((resolve) => {
      const cutOff = setTimeout(() => {
        server.forceShutdown();
        resolve('cut-off');
      }, timeoutMs);
      server.tryShutdown(() => {
        clearTimeout(cutOff);
        resolve('drained');
      });
    });
    return this.drainPromise;
  }

  override async close(): Promise<void> {
    await this.drain(0);
  }
}
