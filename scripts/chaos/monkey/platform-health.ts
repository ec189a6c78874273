import { checkGrpcHealth, grpcHealthClient, type GrpcHealthClient } from '../../grpc-health';
import type { OutageCheck } from './chaos-monkey';

/**
 * The platform's own word on an outage: every service's overall gRPC health (grpc.health.v1, service ''),
 * asked through its Kubernetes Service, so any instance answers. A service that is NOT_SERVING (its store
 * is down) or does not answer at all is an outage, and the monkey holds its kills.
 */
export class PlatformHealthCheck implements OutageCheck {
  private readonly clients: ReadonlyArray<{ target: string; client: GrpcHealthClient }>;

  constructor(targets: readonly string[]) {
    this.clients = targets.map((target) => ({ target, client: grpcHealthClient(target) }));
  }

  async outage(): Promise<string | undefined> {
    const answers = await Promise.all(
      this.clients.map(async ({ target, client }) => ({ target, health: await checkGrpcHealth(client, 2_000) })),
    );
    const unwell = answers.filter((answer) => answer.health !== 'SERVING');
    return unwell.length === 0 ? undefined : unwell.map(({ target, health }) => `${target} is ${health}`).join(', ');
  }

  close(): void {
    for (const { client } of this.clients) client.close();
  }
}
