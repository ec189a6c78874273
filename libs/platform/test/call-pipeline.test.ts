import { Metadata, status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { EventEmitter } from 'node:events';
import { eventually } from '@streamplane/testkit';
import { NotFoundError } from '../src/errors/domain-errors';
import { FaultInjector } from '../src/faults/faults';
import { Logger } from '../src/logging/logger';
import { CallPipeline, TRACE_ID_TRAILER, type UnaryHandler } from '../src/server/call-pipeline';
import { currentRequestContext } from '../src/server/request-context';
import { ConcurrencyLimiter } from '../src/limits/concurrency-limiter';
import { RpcTelemetry } from '../src/telemetry/rpc-telemetry';
import { startTelemetry, type Telemetry } from '../src/telemetry/telemetry';

/**
 * What every served call gets from the pipeline that a caller or an operator can see: the call's trace id
 * in the trailing metadata (answers and errors alike), and one access-log line at LOG_LEVEL=debug.
 */

interface Answer {
  error: { code: number; details: string; metadata: Metadata } | null;
  trailer: Metadata | undefined;
}

function fakeCall(path: string): ServerUnaryCall<unknown, unknown> {
  return {
    getPath: () => path,
    metadata: new Metadata(),
    getDeadline: () => Infinity,
    once: () => undefined,
    off: () => undefined,
  } as unknown as ServerUnaryCall<unknown, unknown>;
}

function serve(pipeline: CallPipeline, handler: UnaryHandler, path = '/streamplane.test.v1.TestService/Get') {
  return new Promise<Answer>((resolve) => {
    const callback: sendUnaryData<unknown> = (error, _value, trailer) =>
      resolve({ error: error as Answer['error'], trailer });
    pipeline.wrap(handler)(fakeCall(path), callback);
  });
}

describe('call pipeline', () => {
  let telemetry: Telemetry;
  const lines: string[] = [];
  let pipeline: CallPipeline;

  beforeAll(() => {
    telemetry = startTelemetry({ service: 'pipeline-test' });
    const logger = new Logger('pipeline-test', 'debug', {}, (line) => lines.push(line));
    pipeline = new CallPipeline(logger, new FaultInjector('pipeline-test', false, logger), new RpcTelemetry());
  });

  afterAll(() => telemetry.shutdown());

  beforeEach(() => (lines.length = 0));

  const accessLines = () =>
    lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.msg === 'served');

  test('an answer carries its trace id in the trailers, and is logged once with it', async () => {
    const { error, trailer } = await serve(pipeline, (_call, callback) => callback(null, { ok: true }));
    expect(error).toBeNull();
    const [traceId] = trailer!.get(TRACE_ID_TRAILER) as string[];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(accessLines()).toEqual([
      expect.objectContaining({
        level: 'debug',
        method: '/streamplane.test.v1.TestService/Get',
        code: 'OK',
        trace_id: traceId,
        duration_ms: expect.any(Number),
      }),
    ]);
  });

  test('an error carries its trace id too, and the access log says its code', async () => {
    const { error } = await serve(pipeline, () => {
      throw new NotFoundError('title', 'tt99999');
    });
    expect(error?.code).toBe(status.NOT_FOUND);
    const [traceId] = error!.metadata.get(TRACE_ID_TRAILER) as string[];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(accessLines()).toEqual([expect.objectContaining({ code: 'NOT_FOUND', trace_id: traceId })]);
  });

  test('each call is a trace of its own', async () => {
    const first = await serve(pipeline, (_call, callback) => callback(null, {}));
    const second = await serve(pipeline, (_call, callback) => callback(null, {}));
    expect(first.trailer!.get(TRACE_ID_TRAILER)).not.toEqual(second.trailer!.get(TRACE_ID_TRAILER));
  });

  describe('the cancellation signal of a served call', () => {
    /** A call grpc-js could hand over: an emitter of 'cancelled', with a deadline. */
    function cancellableCall(deadline = Infinity, cancelled = false) {
      return Object.assign(new EventEmitter(), {
        getPath: () => '/streamplane.test.v1.TestService/Get',
        metadata: new Metadata(),
        getDeadline: () => deadline,
        cancelled,
      }) as unknown as ServerUnaryCall<unknown, unknown> & EventEmitter;
    }

    /** Serves one call whose handler takes the request context's signal and answers once it aborts. */
    function serveUntilAborted(call: ServerUnaryCall<unknown, unknown>) {
      let signal: AbortSignal | undefined;
      const answered = new Promise<void>((resolve) =>
        pipeline.wrap((_call, callback) => {
          signal = currentRequestContext()!.signal;
          const answer = () => callback(null, {});
          if (signal.aborted) answer();
          else signal.addEventListener('abort', answer);
        })(call, () => resolve()),
      );
      return { signal: () => signal, answered };
    }

    test('aborts when the caller cancels', async () => {
      const call = cancellableCall();
      const served = serveUntilAborted(call);
      expect(served.signal()!.aborted).toBe(false);
      call.emit('cancelled');
      await served.answered;
      expect(served.signal()!.aborted).toBe(true);
      expect(call.listenerCount('cancelled')).toBe(0);
    });

    test('aborts when the deadline passes', async () => {
      const call = cancellableCall(Date.now() + 30);
      const served = serveUntilAborted(call);
      await served.answered;
      expect(served.signal()!.aborted).toBe(true);
    });

    test('is aborted already for a call cancelled before its handler asked', async () => {
      const served = serveUntilAborted(cancellableCall(Infinity, true));
      await served.answered;
      expect(served.signal()!.aborted).toBe(true);
    });

    test('costs nothing to a handler that never asks for it: no listener is left on the call', async () => {
      const call = cancellableCall(Date.now() + 60_000);
      let listenersWhileServing = -1;
      await new Promise<void>((resolve) =>
        pipeline.wrap((served, callback) => {
          listenersWhileServing = (served as unknown as EventEmitter).listenerCount('cancelled');
          callback(null, {});
        })(call, () => resolve()),
      );
      expect(listenersWhileServing).toBe(0);
      await eventually(() => call.listenerCount('cancelled') === 0, 'no listener left');
    });
  });

  describe('admission by the concurrency limit', () => {
    const limitOf = (current: number) => ({
      current,
      typicalRttMs: 40,
      onSample: () => undefined,
      onDrop: () => undefined,
    });
    /** A call whose handler answers only when `release` is called. */
    function heldCall(
      admitting: CallPipeline,
      metadata = new Metadata(),
      path = '/streamplane.test.v1.TestService/Get',
    ) {
      let release = (): void => undefined;
      const call = { ...fakeCall(path), metadata } as ServerUnaryCall<unknown, unknown>;
      const answer = new Promise<Answer>((resolve) =>
        admitting.wrap((_call, callback) => {
          release = () => callback(null, {});
        })(call, (error, _value, trailer) => resolve({ error: error as Answer['error'], trailer })),
      );
      return { answer, release: () => release() };
    }

    const admittingPipeline = (limit: number, sheddableMethods: string[] = []) =>
      new CallPipeline(
        new Logger('pipeline-test', 'error', {}, () => undefined),
        new FaultInjector('t', false),
        new RpcTelemetry(),
        {
          limiter: new ConcurrencyLimiter(limitOf(limit)),
          serviceName: 'catalog',
          sheddableMethods: new Set(sheddableMethods),
        },
      );

    test('refuses a call over the limit at once with RESOURCE_EXHAUSTED and a retry pushback', async () => {
      const admitting = admittingPipeline(2);
      const held = [heldCall(admitting), heldCall(admitting)];
      const refused = await heldCall(admitting).answer;
      expect(refused.error).toMatchObject({
        code: status.RESOURCE_EXHAUSTED,
        details: 'catalog is over its concurrency limit (2 calls in flight); retry in 40 ms',
      });
      expect(refused.error!.metadata.get('grpc-retry-pushback-ms')).toEqual(['40']);
      for (const call of held) call.release();
      expect((await held[0]!.answer).error).toBeNull();
      // Once the calls in flight have answered, there is room again.
      const next = heldCall(admitting);
      next.release();
      expect((await next.answer).error).toBeNull();
    });

    test('refuses sheddable calls first: by the header, or by the method’s own declaration', async () => {
      const batch = '/streamplane.test.v1.TestService/PlanFill';
      const admitting = admittingPipeline(4, [batch]);
      const sheddable = new Metadata();
      sheddable.set('x-streamplane-priority', 'sheddable');
      const held = [heldCall(admitting, sheddable), heldCall(admitting, new Metadata(), batch)];
      expect((await heldCall(admitting, sheddable).answer).error?.code).toBe(status.RESOURCE_EXHAUSTED);
      expect((await heldCall(admitting, new Metadata(), batch).answer).error?.code).toBe(status.RESOURCE_EXHAUSTED);
      // Critical calls still have the rest of the limit.
      const critical = [heldCall(admitting), heldCall(admitting)];
      expect((await heldCall(admitting).answer).error?.code).toBe(status.RESOURCE_EXHAUSTED);
      for (const call of [...held, ...critical]) call.release();
      for (const call of [...held, ...critical]) expect((await call.answer).error).toBeNull();
    });

    test('answers an unknown priority with INVALID_ARGUMENT naming the header', async () => {
      const metadata = new Metadata();
      metadata.set('x-streamplane-priority', 'urgent');
      const { error } = await heldCall(admittingPipeline(4), metadata).answer;
      expect(error).toMatchObject({
        code: status.INVALID_ARGUMENT,
        details: expect.stringMatching(/^x-streamplane-priority: /),
      });
    });
  });
});
