import type {
  MethodName as MethodOfDefinition,
  RequestOf as RequestOfDefinition,
  ResilientClient,
  ResponseOf as ResponseOfDefinition,
  ServiceClients,
} from '@streamplane/platform';
import type { BillingServiceDefinition } from './generated/streamplane/billing/v1';
import type { CatalogServiceDefinition } from './generated/streamplane/catalog/v1';
import type { PlaybackAuthorizationServiceDefinition } from './generated/streamplane/playback/v1';
import type { ProfilesServiceDefinition } from './generated/streamplane/profiles/v1';
import type { RecommendationsServiceDefinition } from './generated/streamplane/recommendations/v1';
import type { SteeringServiceDefinition } from './generated/streamplane/steering/v1';
import type { SubtitlesServiceDefinition } from './generated/streamplane/subtitles/v1';
import type { ServiceName } from './service-registry';

/** The generated gRPC definition of each service, by service name: the source of every client's types. */
export interface ServiceDefinitions {
  catalog: CatalogServiceDefinition;
  profiles: ProfilesServiceDefinition;
  recommendations: RecommendationsServiceDefinition;
  'playback-authorization': PlaybackAuthorizationServiceDefinition;
  subtitles: SubtitlesServiceDefinition;
  billing: BillingServiceDefinition;
  steering: SteeringServiceDefinition;
}

export type MethodName<S extends ServiceName> = MethodOfDefinition<ServiceDefinitions[S]>;
export type RequestOf<S extends ServiceName, M extends MethodName<S>> = RequestOfDefinition<ServiceDefinitions[S], M>;
export type ResponseOf<S extends ServiceName, M extends MethodName<S>> = ResponseOfDefinition<ServiceDefinitions[S], M>;

/** The resilient client of one Streamplane service. */
export type ClientOf<S extends ServiceName> = ResilientClient<ServiceDefinitions[S]>;

/** The resilient clients of the services a process depends on (injectable as ServiceClients). */
export type StreamplaneClients = ServiceClients<ServiceDefinitions>;
