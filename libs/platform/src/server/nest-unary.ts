import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import { isObservable, lastValueFrom } from 'rxjs';
import type { UnaryHandler } from './call-pipeline';

/** What Nest builds for a @GrpcMethod: the controller method behind its guards, pipes, interceptors and filters. */
export type NestGrpcHandler = (
  request: unknown,
  metadata: Metadata,
  call: ServerUnaryCall<unknown, unknown>,
) => unknown;

/**
 * A grpc-js unary handler for the handler Nest built. Nest's own adaptation
 * (ServerGrpc.createUnaryServiceMethod) copies every call for its instrumentation hooks and routes every
 * answer through an RxJS subscription; the platform's call pipeline already does that work once per call,
 * so here the answer is awaited directly. An Observable is what Nest's exception filters answer with
 * (HandToPipelineFilter rethrows that way), and what a handler may return: its last value is the answer.
 */
export function unaryHandlerOf(handler: NestGrpcHandler): UnaryHandler {
  return (call, callback) => {
    new Promise((resolve) => resolve(handler(call.request, call.metadata, call)))
      .then((answer) => (isObservable(answer) ? lastValueFrom(answer) : answer))
      .then(
        (value) => callback(null, value),
        (error: unknown) => callback(error as Error),
      );
  };
}
