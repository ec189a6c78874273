import { credentials, loadPackageDefinition, type Client } from '@grpc/grpc-js';
import { loadProtos } from '@streamplane/platform';

/**
 * The plain grpc-js client class of a fully qualified gRPC service (`streamplane.catalog.v1.CatalogService`,
 * `grpc.health.v1.Health`), for callers that stand outside the platform: the supervisor's health checks,
 * the load generator, the bench's bare floor and the tests' clients. Services never use it; their calls
 * go through the resilient client.
 */
export type GrpcClientConstructor = new (
  address: string,
  creds: ReturnType<typeof credentials.createInsecure>,
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

/** A plaintext client of `grpcService` at `address`. */
export function plainGrpcClient(grpcService: string, protoFiles: readonly string[], address: string): Client {
  return new (grpcClientConstructor(grpcService, protoFiles))(address, credentials.createInsecure());
}
