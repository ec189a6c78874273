import type { AuthorizedCallers } from '../security/caller-authorization';

/**
 * What the platform needs to know of a service to serve it or to call it. The platform knows no service
 * by name: the registry of Streamplane's services lives in @streamplane/contracts.
 */
export interface ServiceDescriptor<Name extends string = string> {
  /** Name used for discovery (Consul service name), telemetry (service.name) and fault injection. */
  readonly name: Name;
  readonly port: number;
  /** Default port of the Prometheus /metrics endpoint. */
  readonly metricsPort: number;
  /** Default port of the plaintext health endpoint for probes (HEALTH_PORT); without one, any free port. */
  readonly healthPort?: number;
  /**
   * Who may call which of its methods under mutual TLS (see CallerAuthorization); asked once, at start.
   * Without it, only `operator` may.
   */
  readonly authorizedCallers?: () => AuthorizedCallers;
  /** Path below the proto root (see protoRoot()). */
  readonly protoFile: string;
  /** Fully qualified gRPC service name. */
  readonly grpcService: string;
}

/** The package (e.g. streamplane.catalog.v1) and short service name (CatalogService) of a descriptor. */
export function splitGrpcService(descriptor: ServiceDescriptor): { packageName: string; serviceName: string } {
  const lastDot = descriptor.grpcService.lastIndexOf('.');
  return {
    packageName: descriptor.grpcService.slice(0, lastDot),
    serviceName: descriptor.grpcService.slice(lastDot + 1),
  };
}
