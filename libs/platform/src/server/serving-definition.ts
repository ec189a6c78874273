import type { PackageDefinition, ServiceDefinition } from '@grpc/proto-loader';
import { passingEncodedMessages } from '../proto/encoded-message';
import { markingUnparsable, requestTypeName } from './unparsable-requests';

/**
 * A copy of `definition` for a server. Every unary method's request deserializer answers an
 * UnparsableRequest instead of throwing (refused with INVALID_ARGUMENT, not grpc-js's INTERNAL), and its
 * response serializer sends an EncodedMessage as it is. The original is left as it is, because clients
 * are built from the same definitions (and their response deserializers must keep failing loudly).
 * Streaming methods are left alone: their handlers do not go through the call pipeline.
 */
export function definitionForServing(definition: PackageDefinition): PackageDefinition {
  const serving: PackageDefinition = {};
  for (const [name, entry] of Object.entries(definition)) {
    serving[name] = isServiceDefinition(entry) ? serviceForServing(definition, name, entry) : entry;
  }
  return serving;
}

function serviceForServing(definition: PackageDefinition, serviceName: string, service: ServiceDefinition) {
  const serving: ServiceDefinition = {};
  for (const [methodName, method] of Object.entries(service)) {
    serving[methodName] =
      method.requestStream || method.responseStream
        ? method
        : {
            ...method,
            requestDeserialize: markingUnparsable(
              requestTypeName(definition, serviceName, method),
              method.requestDeserialize,
            ),
            responseSerialize: passingEncodedMessages(method.responseSerialize),
          };
  }
  return serving;
}

/** The same test grpc-js's loadPackageDefinition makes: messages and enums have a `format`, services do not. */
function isServiceDefinition(entry: PackageDefinition[string]): entry is ServiceDefinition {
  return !('format' in entry);
}
