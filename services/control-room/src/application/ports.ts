import type { Health } from '../domain';

/** Reads a component instance's Prometheus text; rejects when it cannot (refused, timed out, not 200). */
export interface MetricsReader {
  read(host: string, port: number): Promise<string>;
}

/** How an instance says whether it is ready: grpc.health.v1 (services) or GET /healthz (the edge). */
export type HealthProtocol = 'grpc' | 'http';

/** Asks one instance for its health; never rejects (no answer is UNREACHABLE). */
export interface HealthProber {
  check(protocol: HealthProtocol, host: string, port: number): Promise<Health>;
  /** Lets go of what it keeps for instances not in `addresses` ("host:port"). */
  retainOnly(addresses: ReadonlySet<string>): void;
  close(): void;
}

/** The addresses of every instance behind a host name (the host itself when it is an address). */
export interface InstanceResolver {
  resolve(host: string): Promise<string[]>;
}
