import type { Server } from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';

/** grpc.health.v1 for the whole server ('') and for each gRPC service it hosts. */
export class HealthReporter {
  private readonly implementation: HealthImplementation;

  constructor(private readonly services: readonly string[]) {
    this.implementation = new HealthImplementation(this.statusMap('NOT_SERVING'));
  }

  addToServer(server: Server): void {
    this.implementation.addToServer(server);
  }

  setAll(status: ServingStatus): void {
    for (const [service] of Object.entries(this.statusMap(status))) {
      this.implementation.setStatus(service, status);
    }
  }

  private statusMap(status: ServingStatus): Record<string, ServingStatus> {
    return Object.fromEntries(['', ...this.services].map((service) => [service, status]));
  }
}
