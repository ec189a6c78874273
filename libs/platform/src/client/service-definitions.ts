import type { MethodDefinition } from '@grpc/proto-loader';
import type { BillingServiceDefinition } from '../generated/streamplane/billing/v1';
import type { CatalogServiceDefinition } from '../generated/streamplane/catalog/v1';
import type { PlaybackAuthorizationServiceDefinition } from '../generated/streamplane/playback/v1';
import type { ProfilesServiceDefinition } from '../generated/streamplane/profiles/v1';
import type { RecommendationsServiceDefinition } from '../generated/streamplane/recommendations/v1';
import type { SteeringServiceDefinition } from '../generated/streamplane/steering/v1';
import type { SubtitlesServiceDefinition } from '../generated/streamplane/subtitles/v1';
import type { ServiceName } from '../service-registry';

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

export type MethodName<S extends ServiceName> = Extract<keyof ServiceDefinitions[S], string>;

/** What a caller sends (proto-loader's input type: enums by name or number, every field optional). */
export type RequestOf<S extends ServiceName, M extends MethodName<S>> =
  ServiceDefinitions[S][M] extends MethodDefinition<infer Request, infer _In, infer _Out, infer _Response>
    ? Request
    : never;

/** What a caller gets back (proto-loader's output type: defaults filled in, enums by name). */
export type ResponseOf<S extends ServiceName, M extends MethodName<S>> =
  ServiceDefinitions[S][M] extends MethodDefinition<infer _Request, infer _In, infer _Out, infer Response>
    ? Response
    : never;
