import {
  status as GrpcStatus,
  type Server,
  type ServerDuplexStream,
  type ServerWritableStream,
  type ServiceDefinition as GrpcServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { MessageTypeDefinition, MethodDefinition, PackageDefinition, ServiceDefinition } from '@grpc/proto-loader';
import { isDeepStrictEqual } from 'node:util';
import { statusError } from '../errors/grpc-status';
import type { UnaryHandler } from './call-pipeline';

/**
 * What a server's request deserializer answers for bytes that are not a valid message of the method's
 * request type. grpc-js turns a deserializer that throws into INTERNAL "Error deserializing request",
 * whatever the error says, which blames the server for the caller's request; so the deserializer answers
 * this marker instead (markingUnparsable), and the handler refuses it with INVALID_ARGUMENT
 * (refuseUnparsableRequests).
 */
export class UnparsableRequest {
  constructor(readonly messageType: string) {
    Object.freeze(this);
  }

  /** What the caller is told: stable, and naming the message it should have sent. */
  get reason(): string {
    return `the request is not a valid ${this.messageType} message`;
  }
}

export function isUnparsableRequest(value: unknown): value is UnparsableRequest {
  return value instanceof UnparsableRequest;
}

/** The handler, except that a request its deserializer could not parse is answered INVALID_ARGUMENT. */
export function refuseUnparsableRequests(handler: UnaryHandler): UnaryHandler {
  return (call, callback) => {
    if (isUnparsableRequest(call.request)) {
      callback(statusError(GrpcStatus.INVALID_ARGUMENT, call.request.reason));
      return;
    }
    return handler(call, callback);
  };
}

/**
 * A request deserializer that answers an UnparsableRequest naming `requestType` instead of throwing. One
 * marker per method: it carries nothing of the request, so every refused call can share it.
 */
export function markingUnparsable(
  requestType: string,
  deserialize: (bytes: Buffer) => object,
): (bytes: Buffer) => object {
  const unparsable = new UnparsableRequest(requestType);
  return (bytes) => {
    try {
      return deserialize(bytes);
    } catch {
      return unparsable;
    }
  };
}

/**
 * A server as a library that adds its own service sees it (grpc.health.v1's HealthImplementation, the
 * reflection service): its services get the same answer to unparsable requests as the platform's own,
 * INVALID_ARGUMENT naming the request type, instead of grpc-js's INTERNAL. A unary call is refused before
 * its handler runs; a stream ends with that status at the first message that does not parse, which its
 * handler never sees.
 */
export function refusingUnparsableRequests(server: Server): Server {
  const addService: Server['addService'] = (service, implementation) => {
    const marked: ServiceDefinition = {};
    const guarded: UntypedServiceImplementation = { ...implementation };
    for (const [name, method] of Object.entries(service as ServiceDefinition)) {
      const requestType = `${method.path.slice(1, method.path.lastIndexOf('.'))}.${(method.requestType.type as { name: string }).name}`;
      marked[name] = { ...method, requestDeserialize: markingUnparsable(requestType, method.requestDeserialize) };
      const key = method.originalName && method.originalName in guarded ? method.originalName : name;
      const handler = guarded[key];
      if (!handler) continue;
      if (method.requestStream) guarded[key] = refusingUnparsableMessages(handler as StreamHandler);
      else if (method.responseStream) guarded[key] = refusingUnparsableRequest(handler as StreamHandler);
      else guarded[key] = refuseUnparsableRequests(handler as UnaryHandler);
    }
    server.addService(marked as GrpcServiceDefinition, guarded);
  };
  return Object.assign(Object.create(server) as Server, { addService });
}

type ServerStream = ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>;
type StreamHandler = (call: ServerStream) => unknown;

function endUnparsable(call: ServerStream, unparsable: UnparsableRequest): void {
  call.emit('error', statusError(GrpcStatus.INVALID_ARGUMENT, unparsable.reason));
}

/** A server-streaming handler whose one request did not parse is never called. */
function refusingUnparsableRequest(handler: StreamHandler): StreamHandler {
  return (call) => {
    const request = (call as ServerWritableStream<unknown, unknown>).request;
    if (isUnparsableRequest(request)) return endUnparsable(call, request);
    return handler(call);
  };
}

/**
 * A handler reading a stream of requests: its stream's messages pass through a gate that ends the call at
 * the first unparsable one (grpc-js answers the 'error' event with that status) and delivers nothing after.
 */
function refusingUnparsableMessages(handler: StreamHandler): StreamHandler {
  return (call) => {
    const emit = call.emit.bind(call) as (event: string | symbol, ...args: unknown[]) => boolean;
    let refused = false;
    call.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event !== 'data') return emit(event, ...args);
      if (refused) return false;
      const message = args[0];
      if (!isUnparsableRequest(message)) return emit(event, ...args);
      refused = true;
      endUnparsable(call, message);
      return false;
    }) as ServerStream['emit'];
    return handler(call);
  };
}

function isMessageTypeDefinition(entry: PackageDefinition[string]): entry is MessageTypeDefinition<object, object> {
  return entry.format === 'Protocol Buffer 3 DescriptorProto';
}

/**
 * The fully qualified name of a method's request type (streamplane.catalog.v1.GetTitleRequest).
 * proto-loader gives a method only the type's descriptor, whose name is unqualified, so the name is
 * the definition's entry holding that same descriptor.
 */
export function requestTypeName(
  definition: PackageDefinition,
  serviceName: string,
  method: MethodDefinition<object, object>,
): string {
  const descriptor = method.requestType.type as { name: string };
  const matches = Object.keys(definition).filter((name) => {
    const entry = definition[name]!;
    return (
      (name === descriptor.name || name.endsWith(`.${descriptor.name}`)) &&
      isMessageTypeDefinition(entry) &&
      isDeepStrictEqual(entry.type, descriptor)
    );
  });
  // Identical messages of one name in two packages: protobuf resolves a reference from the service's own
  // package outwards, so that one is meant.
  const servicePackage = serviceName.slice(0, serviceName.lastIndexOf('.'));
  return matches.find((name) => name === `${servicePackage}.${descriptor.name}`) ?? matches[0] ?? descriptor.name;
}
