import { Metadata, status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { NotFoundError } from '../src/errors/domain-errors';
import { FaultInjector } from '../src/faults/faults';
import { Logger } from '../src/logging/logger';
import { CallPipeline, TRACE_ID_TRAILER, type UnaryHandler } from '../src/server/call-pipeline';
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
});
