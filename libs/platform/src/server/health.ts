import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { Meter } from '@opentelemetry/api';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import { activeTelemetry } from '../telemetry/telemetry';
import { bindServer } from './grpc-transport';
import { refusingUnparsableRequests } from './unparsable-requests';

/**
 * The health service name a liveness probe asks: SERVING from the moment the server listens until it
 * shuts down, whatever its dependencies do. The overall status ('') is for readiness: it turns NOT_SERVING
 * while a store is down, and restarting the process would not bring the store back.
 */
export const LIVENESS_HEALTH_SERVICE = 'streamplane.liveness';

/**
 * Exports `streamplane_health_serving`, read at every scrape: 1 while `serving` says the process passes its
 * readiness probe, 0 otherwise. `up` only says the metrics endpoint answers; a process that is up but
 * refuses traffic (a store down, shutting down) shows here, which the ServiceNotServing alert relies on.
 */
export function exportServingHealth(
  serving: () => boolean | Promise<boolean>,
  meter: Meter = activeTelemetry().meter,
): void {
  meter
    .createObservableGauge('streamplane.health.serving', {
      description: '1 while the process is ready to serve (gRPC health SERVING, the edge: /healthz 200), else 0.',
    })
    .addCallback(async (result) => result.observe((await serving()) ? 1 : 0));
}

/** grpc.health.v1 for the whole server ('') and for each gRPC service it hosts, plus liveness. */
export class HealthReporter {
  private readonly implementation: HealthImplementation;
  private overall: ServingStatus = 'NOT_SERVING';

  constructor(
    private readonly services: readonly string[],
    meter?: Meter,
  ) {
    this.implementation = new HealthImplementation({
      ...this.statusMap('NOT_SERVING'),
      [LIVENESS_HEALTH_SERVICE]: 'NOT_SERVING',
    });
    exportServingHealth(() => this.overall === 'SERVING', meter);
  }

  /** Called once the server listens; only shutdown (setAll) turns liveness off again. */
  markAlive(): void {
    this.implementation.setStatus(LIVENESS_HEALTH_SERVICE, 'SERVING');
  }

  addToServer(server: Server): void {
    this.implementation.addToServer(refusingUnparsableRequests(server));
  }

  /**
   * Serves this health (and nothing else) on a plaintext port of its own (HEALTH_PORT), for probes that
   * present no certificate when the service port requires one. Resolves with the bound port and what
   * closes it.
   */
  async servePlaintext(host: string, port: number): Promise<{ port: number; close: () => void }> {
    const server = new Server();
    this.addToServer(server);
    const bound = await bindServer(server, host, port, ServerCredentials.createInsecure(), 'HEALTH_PORT');
    return { port: bound, close: () => server.forceShutdown() };
  }

  /** The readiness of '' and every gRPC service (liveness untouched, except by NOT_SERVING at shutdown). */
  setAll(status: ServingStatus): void {
    this.overall = status;
    for (const [service] of Object.entries(this.statusMap(status))) {
      this.implementation.setStatus(service, status);
    }
  }

  /** Shutdown: nothing is served any more, liveness included. */
  stopServing(): void {
    this.setAll('NOT_SERVING');
    this.implementation.setStatus(LIVENESS_HEALTH_SERVICE, 'NOT_SERVING');
  }

  private statusMap(status: ServingStatus): Record<string, ServingStatus> {
    return Object.fromEntries(['', ...this.services].map((service) => [service, status]));
  }
}
