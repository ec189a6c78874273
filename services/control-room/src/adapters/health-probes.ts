import {
  credentials,
  loadPackageDefinition,
  status as GrpcStatus,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadProtos } from '@streamplane/platform';
import type { HealthProber, HealthProtocol } from '../application/ports';
import { hostPort, type Health } from '../domain';

type HealthClient = Client & {
  Check(
    request: { service: string },
    options: { deadline: number },
    callback: (error: ServiceError | null, response?: { status: string }) => void,
  ): void;
};
type HealthClientConstructor = new (
  address: string,
  channelCredentials: ReturnType<typeof credentials.createInsecure>,
  options: Record<string, number>,
) => HealthClient;

/**
 * A dead instance that comes back must be seen within a poll or two, not after grpc-js's reconnect
 * backoff has grown towards its two-minute default.
 */
const CHANNEL_OPTIONS = { 'grpc.initial_reconnect_backoff_ms': 250, 'grpc.max_reconnect_backoff_ms': 1_000 };

/** Codes that mean nothing answered; any other error is an answer, from a server not ready to serve. */
const NO_ANSWER = new Set<number>([GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED, GrpcStatus.CANCELLED]);

/**
 * The control room asks, as a probe would, and calls no service's API: grpc.health.v1 Check for the
 * overall status ('') over plaintext (one channel per instance, kept while the instance exists), or the
 * edge's GET /healthz (200 SERVING, any other status NOT_SERVING). No answer within `timeoutMs` is
 * UNREACHABLE.
 */
export class HealthProbes implements HealthProber {
  private readonly Health: HealthClientConstructor;
  private readonly clients = new Map<string, HealthClient>();

  constructor(private readonly timeoutMs: number) {
    const loaded = loadPackageDefinition(loadProtos([]).definition) as unknown as {
      grpc: { health: { v1: { Health: HealthClientConstructor } } };
    };
    this.Health = loaded.grpc.health.v1.Health;
  }

  check(protocol: HealthProtocol, host: string, port: number): Promise<Health> {
    const address = hostPort(host, port);
    return protocol === 'http' ? this.checkHttp(address) : this.checkGrpc(address);
  }

  retainOnly(addresses: ReadonlySet<string>): void {
    for (const [address, client] of this.clients) {
      if (addresses.has(address)) continue;
      client.close();
      this.clients.delete(address);
    }
  }

  close(): void {
    this.retainOnly(new Set());
  }

  private checkGrpc(address: string): Promise<Health> {
    let client = this.clients.get(address);
    if (!client) {
      client = new this.Health(address, credentials.createInsecure(), CHANNEL_OPTIONS);
      this.clients.set(address, client);
    }
    return new Promise((resolve) =>
      client.Check({ service: '' }, { deadline: Date.now() + this.timeoutMs }, (error, response) => {
        if (error) resolve(NO_ANSWER.has(error.code) ? 'UNREACHABLE' : 'NOT_SERVING');
        else resolve(response?.status === 'SERVING' ? 'SERVING' : 'NOT_SERVING');
      }),
    );
  }

  private async checkHttp(address: string): Promise<Health> {
    try {
      const response = await fetch(`http://${address}/healthz`, { signal: AbortSignal.timeout(this.timeoutMs) });
      await response.body?.cancel();
      return response.status === 200 ? 'SERVING' : 'NOT_SERVING';
    } catch {
      return 'UNREACHABLE';
    }
  }
}
