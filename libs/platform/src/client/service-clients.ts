import type { PackageDefinition } from '@grpc/proto-loader';
import type { Discovery } from '../discovery/discovery';
import type { Logger } from '../logging/logger';
import { loadProtos } from '../proto/proto-loader';
import { SERVICES, type ServiceName } from '../service-registry';
import { BreakerRegistry, DEFAULT_BREAKER, type BreakerOptions } from './breakers';
import { ResilientClient, type ResilienceOptions } from './resilient-client';
import type { RpcTelemetry } from '../telemetry/rpc-telemetry';

export interface ServiceClientsOptions {
  resilience?: Partial<ResilienceOptions>;
  breaker?: BreakerOptions;
  telemetry?: RpcTelemetry;
}

/**
 * The clients of the services this process declared it depends on, one resilient client (one channel,
 * one breaker per method) per target, created once at start.
 */
export class ServiceClients {
  private readonly clients = new Map<ServiceName, ResilientClient<ServiceName>>();
  private readonly breakers: BreakerRegistry;

  constructor(
    dependencies: readonly ServiceName[],
    discovery: Pick<Discovery, 'target'>,
    logger: Logger,
    options: ServiceClientsOptions = {},
  ) {
    this.breakers = new BreakerRegistry(options.breaker ?? DEFAULT_BREAKER);
    const unique = [...new Set(dependencies)];
    const definition: PackageDefinition = loadProtos(unique.map((name) => SERVICES[name].protoFile)).definition;
    for (const name of unique) {
      const target = SERVICES[name];
      this.clients.set(
        name,
        new ResilientClient(target, discovery.target(target), definition, {
          breakers: this.breakers,
          logger,
          options: options.resilience,
          telemetry: options.telemetry,
        }),
      );
    }
  }

  /** The client of a declared dependency. */
  get<S extends ServiceName>(name: S): ResilientClient<S> {
    const client = this.clients.get(name);
    if (!client) {
      throw new Error(`${name} is not a declared dependency of this service; add it to runService({ dependencies })`);
    }
    return client as unknown as ResilientClient<S>;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.breakers.close();
  }
}
