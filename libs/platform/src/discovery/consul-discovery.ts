import Consul from 'consul';
import { networkInterfaces } from 'node:os';
import type { PlatformConfig } from '../config/config';
import type { Logger } from '../logging/logger';
import type { ServiceDescriptor } from '../server/service-descriptor';
import { stopConsulWatchers, useConsulResolver } from './consul-resolver';
import type { Discovery } from './discovery';

/** Consul removes an instance whose check has been critical this long (e.g. a pod killed with -9). */
const DEREGISTER_CRITICAL_AFTER = '1m';
const CHECK_INTERVAL = '5s';
const CHECK_TIMEOUT = '2s';

/** Registers this instance with the local Consul agent and resolves peers through `consul:///<service>`. */
export class ConsulDiscovery implements Discovery {
  private readonly consul: Consul;
  private registeredId?: string;
  private registration?: { self: ServiceDescriptor; port: number; healthPort: number };

  constructor(
    private readonly config: PlatformConfig,
    private readonly logger: Logger,
  ) {
    const [host, port] = splitHostPort(config.CONSUL_HTTP_ADDR);
    this.consul = new Consul({ host, port });
    useConsulResolver({ defaultAgent: config.CONSUL_HTTP_ADDR, logger });
  }

  target(service: ServiceDescriptor): string {
    return `consul:///${service.name}`;
  }

  async register(self: ServiceDescriptor, port: number, healthPort: number): Promise<void> {
    const address = this.config.POD_IP ?? advertisedAddress(this.config.GRPC_HOST);
    const id = `${self.name}-${address}-${port}`;
    await this.consul.agent.service.register({
      id,
      name: self.name,
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
    });
    this.registeredId = id;
    this.registration = { self, port, healthPort };
    this.logger.info('registered with consul', { consul_id: id, address, port, agent: this.config.CONSUL_HTTP_ADDR });
  }

  async ensureRegistered(): Promise<boolean> {
    const id = this.registeredId;
    if (!id || !this.registration) return false;
    const known = (await this.consul.agent.service.list()) as Record<string, unknown>;
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
      await this.consul.agent.service.deregister(id);
      this.logger.info('deregistered from consul', { consul_id: id });
    } catch (error) {
      // Shutdown goes on: the check turns critical and Consul removes the instance by itself.
      this.logger.warn('consul deregistration failed', { consul_id: id, error: (error as Error).message });
    }
  }

  close(): void {
    stopConsulWatchers();
  }
}

function splitHostPort(hostPort: string): [string, number] {
  const separator = hostPort.lastIndexOf(':');
  return [hostPort.slice(0, separator), Number(hostPort.slice(separator + 1))];
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
