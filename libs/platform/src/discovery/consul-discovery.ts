import type Consul from 'consul';
import { networkInterfaces } from 'node:os';
import { isNativeError } from 'node:util/types';
import type { PlatformConfig } from '../config/config';
import type { Logger } from '../logging/logger';
import type { ServiceDescriptor } from '../server/service-descriptor';
import {
  consulClient,
  consulServiceName,
  describeAgent,
  loadConsulConnection,
  withTokenRefusal,
  type ConsulConnection,
} from './consul-connection';
import { stopConsulWatchers, useConsulResolver } from './consul-resolver';
import type { Discovery } from './discovery';

/** Consul removes an instance whose check has been critical this long (e.g. a pod killed with -9). */
const DEREGISTER_CRITICAL_AFTER = '1m';
const CHECK_INTERVAL = '5s';
const CHECK_TIMEOUT = '2s';

/**
 * Resolves peers through `consul:///<name in Consul>` and, with STREAMPLANE_CONSUL_REGISTRATION=agent,
 * registers this instance with the agent at CONSUL_HTTP_ADDR. That agent must be one that stays the same
 * for the instance's lifetime (its node's own, or a single server): the registration, its health check and
 * the deregistration live on the agent that received them. With `none`, catalog sync registers the instance.
 */
export class ConsulDiscovery implements Discovery {
  private readonly connection: ConsulConnection;
  private readonly consul: Consul;
  private readonly selfRegisters: boolean;
  private registeredId?: string;
  private registration?: { self: ServiceDescriptor; port: number; healthPort: number };

  constructor(
    private readonly config: PlatformConfig,
    private readonly logger: Logger,
  ) {
    this.connection = loadConsulConnection(config);
    this.consul = consulClient(this.connection);
    this.selfRegisters = config.STREAMPLANE_CONSUL_REGISTRATION === 'agent';
    useConsulResolver({ connection: this.connection, logger });
  }

  target(service: ServiceDescriptor): string {
    return `consul:///${this.consulName(service)}`;
  }

  async register(self: ServiceDescriptor, port: number, healthPort: number): Promise<void> {
    if (!this.selfRegisters) {
      this.logger.info('not registering with consul: STREAMPLANE_CONSUL_REGISTRATION=none (catalog sync does)', {
        consul_service: this.consulName(self),
      });
      return;
    }
    const address = this.config.POD_IP ?? advertisedAddress(this.config.GRPC_HOST);
    const name = this.consulName(self);
    const id = `${name}-${address}-${port}`;
    await this.agentCall(`registering ${name}`, () =>
      this.consul.agent.service.register({
        id,
        name,
        address,
        port,
        tags: ['grpc', 'streamplane'],
        check: {
          name: `gRPC health of ${self.grpcService}`,
          // The plaintext health port: Consul has no client certificate for the service port under mutual TLS.
          grpc: `${address}:${healthPort}/${self.grpcService}`,
          grpcusetls: false,
          interval: CHECK_INTERVAL,
          timeout: CHECK_TIMEOUT,
          deregistercriticalserviceafter: DEREGISTER_CRITICAL_AFTER,
        },
      }),
    );
    this.registeredId = id;
    this.registration = { self, port, healthPort };
    this.logger.info('registered with consul', {
      consul_id: id,
      address,
      port,
      agent: describeAgent(this.connection),
    });
  }

  async ensureRegistered(): Promise<boolean> {
    const id = this.registeredId;
    if (!id || !this.registration) return false;
    const known = await this.agentCall(
      'listing the services of its agent',
      () => this.consul.agent.service.list() as Promise<Record<string, unknown>>,
    );
    // Deregistered meanwhile (shutdown began): nothing to restore.
    if (id in known || this.registeredId !== id) return false;
    this.logger.warn('consul agent forgot this instance; registering again', { consul_id: id });
    await this.register(this.registration.self, this.registration.port, this.registration.healthPort);
    return true;
  }

  async deregister(): Promise<void> {
    if (!this.registeredId) return;
    const id = this.registeredId;
    this.registeredId = undefined;
    this.registration = undefined;
    try {
      await this.agentCall(`deregistering ${id}`, () => this.consul.agent.service.deregister(id));
      this.logger.info('deregistered from consul', { consul_id: id });
    } catch (error) {
      // Shutdown goes on: the check turns critical and Consul removes the instance by itself.
      this.logger.warn('consul deregistration failed', { consul_id: id, error: (error as Error).message });
    }
  }

  close(): void {
    stopConsulWatchers();
  }

  /** The service's name in Consul (STREAMPLANE_CONSUL_SERVICE_NAME). */
  private consulName(service: ServiceDescriptor): string {
    return consulServiceName(this.config.STREAMPLANE_CONSUL_SERVICE_NAME, service.name);
  }

  /** `call`, with a 403 turned into an error that says the token was refused and what to change. */
  private async agentCall<T>(what: string, call: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await call();
    } catch (error) {
      throw withTokenRefusal(error, `for ${what} at ${describeAgent(this.connection)}`);
    }
    // The client's HTTP layer tells errors by instanceof, which fails across realms (jest): a socket or TLS
    // error then arrives as the answer instead of a rejection.
    if (isNativeError(result)) throw result;
    return result;
  }
}

/** The address peers can dial when no POD_IP is given: the bind address, or the first external IPv4. */
function advertisedAddress(bindHost: string): string {
  if (bindHost !== '0.0.0.0' && bindHost !== '::') return bindHost;
  for (const addresses of Object.values(networkInterfaces())) {
    const external = addresses?.find((address) => address.family === 'IPv4' && !address.internal);
    if (external) return external.address;
  }
  return '127.0.0.1';
}
