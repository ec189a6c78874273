/**
 * The seven services as the rest of the platform knows them: where each listens by default and which
 * proto file and gRPC service it serves. Ports and names are fixed by the design contract.
 */
export interface ServiceDescriptor {
  /** Name used for discovery (Consul service name), telemetry (service.name) and fault injection. */
  readonly name: string;
  readonly port: number;
  /** Default port of the Prometheus /metrics endpoint: 94xx for the gRPC port 500xx. */
  readonly metricsPort: number;
  /** Path below proto/. */
  readonly protoFile: string;
  /** Fully qualified gRPC service name. */
  readonly grpcService: string;
}

function describe<Name extends string>(
  name: Name,
  port: number,
  protoPackage: string,
  service: string,
): ServiceDescriptor & { readonly name: Name } {
  return {
    name,
    port,
    metricsPort: 9400 + (port - 50000),
    protoFile: `streamplane/${protoPackage}/v1/${protoPackage}.proto`,
    grpcService: `streamplane.${protoPackage}.v1.${service}`,
  };
}

export const SERVICES = {
  catalog: describe('catalog', 50051, 'catalog', 'CatalogService'),
  profiles: describe('profiles', 50052, 'profiles', 'ProfilesService'),
  recommendations: describe('recommendations', 50053, 'recommendations', 'RecommendationsService'),
  'playback-authorization': describe('playback-authorization', 50054, 'playback', 'PlaybackAuthorizationService'),
  subtitles: describe('subtitles', 50055, 'subtitles', 'SubtitlesService'),
  billing: describe('billing', 50056, 'billing', 'BillingService'),
  steering: describe('steering', 50057, 'steering', 'SteeringService'),
} as const satisfies Record<string, ServiceDescriptor>;

export type ServiceName = keyof typeof SERVICES;

export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

/** The package (e.g. streamplane.catalog.v1) and short service name (CatalogService) of a descriptor. */
export function splitGrpcService(descriptor: ServiceDescriptor): { packageName: string; serviceName: string } {
  const lastDot = descriptor.grpcService.lastIndexOf('.');
  return {
    packageName: descriptor.grpcService.slice(0, lastDot),
    serviceName: descriptor.grpcService.slice(lastDot + 1),
  };
}
