import type { PackageDefinition } from '@grpc/proto-loader';
import type { Discovery } from '../discovery/discovery';
import type { Logger } from '../logging/logger';
import { loadProtos } from '../proto/proto-loader';
import { BreakerRegistry, DEFAULT_BREAKER, type BreakerOptions } from './breakers';
import type { Dependency } from './dependency-policy';
import { ResilientClient, type ResilienceOptions } from './resilient-client';
import type { RpcTelemetry } from '../telemetry/rpc-telemetry';
import { loadConfig, platformConfigSchema } from '../config/config';
import { channelCredentials, loadTransportSecurity, type TransportSecurity } from '../security/transport-security';

export interface ServiceClientsOptions {
  resilience?: Partial<ResilienceOptions>;
  breaker?: BreakerOptions;
  telemetry?: RpcTelemetry;
  /** See ClientDependencies.withoutResilience: the bench's switch, never a production setting. */
  withoutResilience?: boolean;
  /** See ClientDependencies.faultCohorts: true when the process honours injected faults. */
  faultCohorts?: boolean;
  /**
   * How the channels dial: the process's own certificate under mutual TLS. Unset: as STREAMPLANE_TLS and
   * STREAMPLANE_TLS_DIR of this process say (the process has validated them at start with its config).
   */
  security?: TransportSecurity;
}

/**
 * The clients of the services this process declared it depends on, one resilient client (one channel,
 * one breaker per method, the declared policy) per target, created once at start. `Definitions` maps
 * service names to their generated gRPC definitions (see @streamplane/contracts' StreamplaneClients).
 */
export class ServiceClients<Definitions = Record<string, unknown>> {
  private readonly clients = new Map<string, ResilientClient<unknown>>();
  private readonly breakers: BreakerRegistry;

  constructor(
    dependencies: readonly Dependency[],
    discovery: Pick<Discovery, 'target'>,
    logger: Logger,
    options: ServiceClientsOptions = {},
  ) {
    this.breakers = new BreakerRegistry(options.breaker ?? DEFAULT_BREAKER);
    const security = options.security ?? transportSecurityOfProcess();
    const definition: PackageDefinition = loadProtos(dependencies.map(({ service }) => service.protoFile)).definition;
    for (const { service, policy } of dependencies) {
      if (this.clients.has(service.name)) throw new Error(`${service.name} is declared as a dependency twice`);
      this.clients.set(
        service.name,
        new ResilientClient(service, discovery.target(service), definition, {
          breakers: this.breakers,
          logger,
          options: options.resilience,
          telemetry: options.telemetry,
          policy,
          withoutResilience: options.withoutResilience,
          faultCohorts: options.faultCohorts,
          credentials: channelCredentials(security, service.name),
        }),
      );
    }
  }

  /** The client of a declared dependency. */
  get<Name extends Extract<keyof Definitions, string>>(name: Name): ResilientClient<Definitions[Name]> {
    const client = this.clients.get(name);
    if (!client) {
      throw new Error(`${name} is not a declared dependency of this service; add it to runService({ dependencies })`);
    }
    return client as ResilientClient<Definitions[Name]>;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.breakers.close();
  }
}

function transportSecurityOfProcess(): TransportSecurity {
  return loadTransportSecurity(
    loadConfig(platformConfigSchema.pick({ STREAMPLANE_TLS: true, STREAMPLANE_TLS_DIR: true }), process.env),
  );
}
