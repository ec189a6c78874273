import { ConfigError } from '../config/config';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ServerGrpc } from '@nestjs/microservices';
import type { CallPipeline, UnaryHandler } from './call-pipeline';

export interface TransportOptions {
  host: string;
  port: number;
  /** Package(s) whose services Nest maps onto @GrpcMethod handlers. */
  packageName: string;
  packageDefinition: PackageDefinition;
  pipeline: CallPipeline;
  /** Adds the platform's own services (health, reflection) once the server exists. */
  onServerCreated: (server: Server) => void;
}

export type DrainOutcome = 'drained' | 'cut-off';

/**
 * NestJS's gRPC transport, with the platform in control of the parts Nest leaves out: every unary handler
 * runs inside the call pipeline, the bound port is known (so port 0 works), and shutdown drains in-flight
 * calls within a bound instead of cutting them off or waiting forever.
 */
export class PlatformGrpcTransport extends ServerGrpc {
  private server?: Server;
  private boundPort?: number;
  private drainPromise?: Promise<DrainOutcome>;

  constructor(private readonly setup: TransportOptions) {
    super({
      url: `${setup.host}:${setup.port}`,
      package: setup.packageName,
      packageDefinition: setup.packageDefinition,
      gracefulShutdown: true,
    });
  }

  get port(): number {
    if (this.boundPort === undefined) throw new Error('the gRPC server is not listening yet');
    return this.boundPort;
  }

  override async createClient(): Promise<Server> {
    const server = new Server();
    this.boundPort = await new Promise<number>((resolve, reject) => {
      server.bindAsync(this.url, ServerCredentials.createInsecure(), (error, port) => {
        if (!error) resolve(port);
        // Another process has the port: the configuration cannot work, and retrying will not change that.
        else if (error.message.includes('EADDRINUSE')) {
          reject(new ConfigError([`GRPC_PORT: port ${this.setup.port} on ${this.setup.host} is already in use`]));
        } else reject(error);
      });
    });
    this.server = server;
    this.setup.onServerCreated(server);
    return server;
  }

  override createUnaryServiceMethod(methodHandler: Function): Function {
    return this.setup.pipeline.wrap(super.createUnaryServiceMethod(methodHandler) as UnaryHandler);
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
