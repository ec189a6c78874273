import type { Server } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import type { LoadedProtos } from '../proto/proto-loader';
import { refusingUnparsableRequests } from '../server/unparsable-requests';
import { normalizeDescriptors } from './normalize-descriptors';

/**
 * Serves grpc.reflection v1 and v1alpha with descriptors that grpcurl and buf curl accept; a request that
 * does not parse ends the stream with INVALID_ARGUMENT, as everywhere else.
 */
export function addReflection(server: Server, protos: LoadedProtos): void {
  new ReflectionService(normalizeDescriptors(protos.definition, protos.fileOfPackage)).addToServer(
    refusingUnparsableRequests(server),
  );
}
