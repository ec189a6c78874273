import {
  FAULT_RULES_API,
  OPERATOR_IDENTITY,
  type AuthorizedCallers,
  type ServiceDescriptor,
} from '@streamplane/platform';
import { APP_IDENTITY, authorizedCallersFrom, declaredDependenciesOf } from './access-policy';

/**
 * The seven services as the rest of the platform knows them: where each listens by default and which
 * proto file and gRPC service it serves. Ports and names are fixed by the design contract. Adding a
 * service means adding it here (and its proto): no other shared package changes.
 */
function describe<Name extends string>(
  name: Name,
  port: number,
  protoPackage: string,
  service: string,
): ServiceDescriptor<Name> & Required<Pick<ServiceDescriptor, 'healthPort' | 'authorizedCallers'>> {
  return {
    name,
    port,
    metricsPort: 9400 + (port - 50000),
    healthPort: 9500 + (port - 50000),
    authorizedCallers: () => declaredAuthorizedCallers()[name as ServiceName],
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

/**
 * The data plane's appliance (services/edge): HTTP, not gRPC, so it is no entry of SERVICES, whose every
 * member serves health and reflection over gRPC. Its ports are fixed by the design contract as theirs are.
 */
export const EDGE = { name: 'edge', httpPort: 8080, metricsPort: 9480 } as const;

/**
 * The control room (services/control-room): the platform's web page (HTTP 9400 by design) and, locally, an
 * OTLP/gRPC trace receiver (9401) that npm start points the services at. Not a service of the call graph.
 */
export const CONTROL_ROOM = { name: 'control-room', httpPort: 9400, otlpPort: 9401 } as const;

export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

/** Everyone that declares whom it calls: the services and the edge. */
export const DECLARING_CALLERS: readonly string[] = [...SERVICE_NAMES, EDGE.name];

/** Every identity a certificate may carry: the declaring callers, `app` and `operator`. */
export const IDENTITY_NAMES: readonly string[] = [...DECLARING_CALLERS, APP_IDENTITY, OPERATOR_IDENTITY];

let authorizedCallers: Record<ServiceName, AuthorizedCallers> | undefined;

/** Who may call each service (see access-policy.ts), made once, when a server first asks. */
export function declaredAuthorizedCallers(): Record<ServiceName, AuthorizedCallers> {
  authorizedCallers ??= authorizedCallersFrom(
    SERVICES,
    Object.fromEntries(DECLARING_CALLERS.map((caller) => [caller, declaredDependenciesOf(caller)])),
  );
  return authorizedCallers;
}

/**
 * The APIs the platform serves in every service beside the service's own, on the same port: the runtime
 * fault rules (streamplane.chaos.v1.FaultRulesService), only when the service runs with
 * STREAMPLANE_FAULTS=enabled. Listed here so that tools find their protos where they find the services'.
 */
export const PLATFORM_APIS = {
  faultRules: FAULT_RULES_API,
} as const;
