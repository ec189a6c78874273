import 'reflect-metadata';
import { Metadata, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import {
  Controller,
  createParamDecorator,
  Injectable,
  Module,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
  type PipeTransform,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GrpcMethod, Payload, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { performance } from 'node:perf_hooks';
import { requireId, unaryHandlerOf, type NestGrpcHandler } from '@streamplane/platform';

/**
 * What Nest's dispatch costs per call, measured in process: one @GrpcMethod shaped like PlaybackController's
 * (a guard reading the call's metadata, a validating payload pipe, a parameter decorator), reached through
 * the handler Nest builds and the platform's adaptation of it (unaryHandlerOf, what every service serves
 * with), against the same guard, validation and handler called as plain functions. Both do the same work;
 * the difference is the dispatch.
 */

const callers = new WeakMap<Metadata, string>();

function authenticate(metadata: Metadata): string {
  const [authorization] = metadata.get('authorization');
  if (authorization === undefined) throw new Error('unauthenticated');
  return String(authorization);
}

@Injectable()
class CallerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const metadata = context.switchToRpc().getContext<Metadata>();
    callers.set(metadata, authenticate(metadata));
    return true;
  }
}

const Caller = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  callers.get(context.switchToRpc().getContext<Metadata>()),
);

interface EchoRequest {
  title_id?: string;
}

const validTitleId: PipeTransform<EchoRequest, string> = {
  transform: (request) => requireId(request.title_id, 'title_id'),
};

async function echo(titleId: string, caller: string | undefined): Promise<{ title_id: string; caller: string }> {
  return { title_id: titleId, caller: caller ?? '' };
}

@Controller()
@UseGuards(CallerGuard)
class EchoController {
  @GrpcMethod('EchoService', 'Echo')
  echo(@Payload(validTitleId) titleId: string, @Caller() caller: string | undefined) {
    return echo(titleId, caller);
  }
}

@Module({ controllers: [EchoController], providers: [CallerGuard] })
class EchoModule {}

/** A transport that only collects the handlers Nest registers, so they can be called in process. */
class CollectingTransport extends Server implements CustomTransportStrategy {
  listen(callback: () => void): void {
    callback();
  }
  close(): void {}
  on(): never {
    throw new Error('not an event transport');
  }
  unwrap<T>(): T {
    throw new Error('no underlying server');
  }
}

async function timeCalls(
  calls: number,
  handler: (call: ServerUnaryCall<unknown, unknown>, done: sendUnaryData<unknown>) => unknown,
) {
  const metadata = new Metadata();
  metadata.set('authorization', 'Bearer bench');
  const call = { request: { title_id: 'tt00002' }, metadata } as unknown as ServerUnaryCall<unknown, unknown>;
  const startedAt = performance.now();
  for (let i = 0; i < calls; i++) {
    await new Promise<void>((resolve, reject) => handler(call, (error) => (error ? reject(error) : resolve())));
  }
  return ((performance.now() - startedAt) * 1000) / calls;
}

export interface NestDispatchFigures {
  /** µs per call through Nest's handler and the platform's adaptation. */
  nestUs: number;
  /** µs per call of the same work as plain functions. */
  bareUs: number;
  /** The difference: what Nest's dispatch adds to every call served. */
  dispatchUs: number;
}

export async function benchNestDispatch(calls = 50_000): Promise<NestDispatchFigures> {
  const transport = new CollectingTransport();
  const app = await NestFactory.createMicroservice(EchoModule, { strategy: transport, logger: false });
  await app.listen();
  try {
    const [nestHandler] = [...transport.getHandlers().values()];
    const throughNest = unaryHandlerOf(nestHandler as unknown as NestGrpcHandler);
    const bare = (call: ServerUnaryCall<unknown, unknown>, done: sendUnaryData<unknown>) => {
      try {
        const caller = authenticate(call.metadata);
        echo(validTitleId.transform(call.request as EchoRequest, { type: 'body' }), caller).then(
          (value) => done(null, value),
          done,
        );
      } catch (error) {
        done(error as Error);
      }
    };
    // Alternating rounds, the best of each: JIT warm-up and noise fall on both alike.
    let nestUs = Infinity;
    let bareUs = Infinity;
    for (let round = 0; round < 3; round++) {
      nestUs = Math.min(nestUs, await timeCalls(calls, throughNest));
      bareUs = Math.min(bareUs, await timeCalls(calls, bare));
    }
    return { nestUs, bareUs, dispatchUs: Math.max(0, nestUs - bareUs) };
  } finally {
    await app.close();
  }
}
