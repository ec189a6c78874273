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
