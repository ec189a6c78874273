import { credentials, loadPackageDefinition, type ChannelCredentials, type Client } from '@grpc/grpc-js';
import { loadProtos, CHANNEL_OPTIONS } from '@streamplane/platform';

/**
 * The plain grpc-js client class of a fully qualified gRPC service (`streamplane.catalog.v1.CatalogService`,
 * `grpc.health.v1.Health`), for callers that stand outside the platform: the supervisor's health checks,
 * the load generator, the bench's bare floor and the tests' clients. Services never use it; their calls
 * go through the resilient client.
 */
export type GrpcClientConstructor = new (
  address: string,
  creds: ChannelCredentials,
  options?: Record<string, unknown>,
) => Client;

export function grpcClientConstructor(grpcService: string, protoFiles: readonly string[]): GrpcClientConstructor {
  const loaded = loadPackageDefinition(loadProtos(protoFiles).definition);
  const constructor = grpcService
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], loaded);
  if (typeof constructor !== 'function')
    throw new Error(`${grpcService} is not in ${protoFiles.join(', ') || 'the health proto'}`);
  return constructor as GrpcClientConstructor;
}

/** A client of `grpcService` at `address`: plaintext unless given other credentials (see toolCredentials). */
export function plainGrpcClient(
  grpcService: string,
  protoFiles: readonly string[],
  address: string,
  creds: ChannelCredentials = credentials.createInsecure(),
): Client {
  return new (grpcClientConstructor(grpcService, protoFiles))(address, creds, CHANNEL_OPTIONS);
}
