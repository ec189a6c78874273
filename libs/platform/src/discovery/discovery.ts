import { staticAddressVariable, type PlatformConfig } from '../config/config';
import type { Logger } from '../logging/logger';
import type { ServiceDescriptor } from '../server/service-descriptor';

/**
 * How this process announces itself and finds its peers. `static`: peers at <SERVICE>_ADDR (default
 * 127.0.0.1:<design port>), nothing announced. `consul`: peers are resolved through `consul:///<service>`,
 * and the instance registers with its agent, with a gRPC health check (unless something else registers it:
 * STREAMPLANE_CONSUL_REGISTRATION=none, for consul-k8s catalog sync).
 */
export interface Discovery {
  /** The gRPC target a channel to `service` should dial. */
  target(service: ServiceDescriptor): string;
  /** Announces `port` (gRPC) to peers; a registry's health check asks `healthPort` (plaintext, HEALTH_PORT). */
  register(self: ServiceDescriptor, port: number, healthPort: number): Promise<void>;
  /** Registers again if the registry has forgotten this instance; true when it had. */
  ensureRegistered(): Promise<boolean>;
  deregister(): Promise<void>;
  close(): void;
}

/**
 * `addresses` holds the validated <SERVICE>_ADDR variables (see staticAddressSchema). Consul's client is
 * loaded only in consul mode, so a static process never loads it.
 */
export function createDiscovery(
  config: PlatformConfig,
  logger: Logger,
  addresses: Readonly<Record<string, string | undefined>> = {},
): Discovery {
  if (config.STREAMPLANE_DISCOVERY !== 'consul') return new StaticDiscovery(addresses);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, see above
  const { ConsulDiscovery } = require('./consul-discovery') as typeof import('./consul-discovery');
  return new ConsulDiscovery(config, logger);
}

class StaticDiscovery implements Discovery {
  constructor(private readonly addresses: Readonly<Record<string, string | undefined>>) {}

  target(service: ServiceDescriptor): string {
    const configured = this.addresses[staticAddressVariable(service.name)];
    return `dns:///${configured ?? `127.0.0.1:${service.port}`}`;
  }

  async register(): Promise<void> {}

  async ensureRegistered(): Promise<boolean> {
    return false;
  }

  async deregister(): Promise<void> {}

  close(): void {}
}
