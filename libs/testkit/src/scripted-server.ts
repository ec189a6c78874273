import {
  getChannelzHandlers,
  Metadata,
  Server,
  ServerCredentials,
  status,
  type ServerUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { loadProtos } from '@streamplane/platform';
import type { ServiceDescriptor } from '@streamplane/platform';

/**
 * A gRPC server that answers as a test tells it to, for testing callers: it serves every method of a
 * Streamplane service, fails or stalls on command, and records what reached it (method, deadline,
 * metadata, whether the caller cancelled).
 */
export type Outcome =
  | { kind: 'ok'; response?: object }
  | { kind: 'fail'; code: status; details?: string; trailers?: Record<string, string> }
  /** Never answers; the caller's deadline must end the call. */
  | { kind: 'stall' };

export const ok = (response?: object): Outcome => ({ kind: 'ok', response });
export const fail = (code: status, trailers?: Record<string, string>): Outcome => ({ kind: 'fail', code, trailers });
export const stall: Outcome = { kind: 'stall' };

export interface ReceivedCall {
  method: string;
  request: Record<string, unknown>;
  metadata: Metadata;
  /** Absolute deadline the server saw, ms since the epoch (Infinity when none). */
  deadline: number;
  cancelled: boolean;
}

export class ScriptedServer {
  readonly received: ReceivedCall[] = [];
  private readonly script: Outcome[] = [];
  private fallbackOutcome: Outcome = ok();
  private healthStatus?: 'SERVING' | 'NOT_SERVING';
  /** grpc.health.v1 Check calls received. */
  healthChecks = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(service: ServiceDescriptor): Promise<ScriptedServer> {
    const protos = loadProtos([service.protoFile]).definition;
    const definition = protos[service.grpcService] as unknown as ServiceDefinition;
    const server = new Server();
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    const scripted = new ScriptedServer(server, port);
    const handlers = Object.fromEntries(
      Object.keys(definition).map((method) => [method, scripted.handle.bind(scripted, method)]),
    );
    server.addService(definition, handlers);
    server.addService(protos['grpc.health.v1.Health'] as unknown as ServiceDefinition, {
      Check: (_call: unknown, callback: sendUnaryData<unknown>) => scripted.checkHealth(callback),
    });
    return scripted;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Outcomes for the next calls, in order; after them, `otherwise`. */
  next(...outcomes: Outcome[]): this {
    this.script.push(...outcomes);
    return this;
  }

  otherwise(outcome: Outcome): this {
    this.fallbackOutcome = outcome;
    return this;
  }

  /** Answers grpc.health.v1 Check with `status` from now on (until called, Check is UNIMPLEMENTED). */
  serveHealth(status: 'SERVING' | 'NOT_SERVING'): this {
    this.healthStatus = status;
    return this;
  }

  count(method?: string): number {
    return method ? this.received.filter((call) => call.method === method).length : this.received.length;
  }

  reset(): void {
    this.received.length = 0;
    this.script.length = 0;
    this.fallbackOutcome = ok();
  }

  stop(): void {
    this.server.forceShutdown();
  }

  /**
   * For each caller connected now, how many bytes this server may send it before it must wait for the
   * caller's WINDOW_UPDATE (its HTTP/2 connection-level receive window), as grpc-js's channelz reports it.
   */
  async callerReceiveWindows(): Promise<number[]> {
    const channelz = getChannelzHandlers();
    const ask = <Response>(handler: unknown, request: object) =>
      new Promise<Response>((resolve, reject) =>
        (handler as (call: { request: object }, callback: sendUnaryData<Response>) => void)(
          { request },
          (error, response) => (error || !response ? reject(error) : resolve(response)),
        ),
      );
    const { socket_ref: sockets } = await ask<{ socket_ref: Array<{ socket_id: string }> }>(channelz.GetServerSockets, {
      server_id: String(this.server.getChannelzRef().id),
    });
    const windows = await Promise.all(
      sockets.map(({ socket_id }) =>
        ask<{ socket: { data: { remote_flow_control_window: { value: number } | null } } }>(channelz.GetSocket, {
          socket_id,
        }),
      ),
    );
    return windows.map(({ socket }) => Number(socket.data.remote_flow_control_window?.value ?? 0));
  }

  private checkHealth(callback: sendUnaryData<unknown>): void {
    this.healthChecks += 1;
    if (this.healthStatus) callback(null, { status: this.healthStatus });
    else callback({ code: status.UNIMPLEMENTED, details: 'no health service scripted' });
  }

  private handle(
    method: string,
    call: ServerUnaryCall<Record<string, unknown>, unknown>,
    callback: sendUnaryData<unknown>,
  ): void {
    const deadline = call.getDeadline();
    const received: ReceivedCall = {
      method,
      request: call.request,
      metadata: call.metadata,
      deadline: deadline instanceof Date ? deadline.getTime() : deadline,
      cancelled: false,
    };
    this.received.push(received);
    call.once('cancelled', () => (received.cancelled = true));
    const outcome = this.script.shift() ?? this.fallbackOutcome;
    switch (outcome.kind) {
      case 'ok':
        callback(null, outcome.response ?? {});
        return;
      case 'fail': {
        const trailers = new Metadata();
        for (const [key, value] of Object.entries(outcome.trailers ?? {})) trailers.set(key, value);
        callback({
          code: outcome.code,
          details: outcome.details ?? `scripted ${status[outcome.code]}`,
          metadata: trailers,
        });
        return;
      }
      case 'stall':
        return;
    }
  }
}
