import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { status as GrpcStatus } from '@grpc/grpc-js';
import zlib from 'node:zlib';
import {
  childrenOf,
  decodeExportTraceServiceRequest,
  describeTrace,
  encodeExportTraceServiceRequest,
  flattenRequest,
  int64ToBigInt,
  OtlpReceiver,
  parentOf,
  type ReceivedSpan,
} from '../src/otlp-receiver';

type ExporterCompression = NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>['compression'];

const receivers: OtlpReceiver[] = [];
const providers: BasicTracerProvider[] = [];
const restores: Array<() => void> = [];

afterEach(async () => {
  for (const restore of restores.splice(0)) restore();
  // Providers first (their shutdown flushes to the receivers), then the servers; a failure in one must not leak the rest.
  await Promise.allSettled(providers.splice(0).map((provider) => provider.shutdown()));
  await Promise.allSettled(receivers.splice(0).map((receiver) => receiver.stop()));
});

async function startReceiver(options?: { failWith?: number }): Promise<OtlpReceiver> {
  const receiver = await OtlpReceiver.start(options);
  receivers.push(receiver);
  return receiver;
}

/** The real pipeline a service uses — SDK → SimpleSpanProcessor → OTLP/gRPC exporter — with export results recorded. */
function pipeline(
  receiver: OtlpReceiver,
  options: { compression?: ExporterCompression; service?: string } = {},
): { provider: BasicTracerProvider; results: ExportResult[] } {
  const exporter = new OTLPTraceExporter({ url: receiver.endpoint, compression: options.compression });
  const results: ExportResult[] = [];
  const recording: SpanExporter = {
    export: (spans: ReadableSpan[], done: (result: ExportResult) => void) =>
      exporter.export(spans, (result) => {
        results.push(result);
        done(result);
      }),
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush(),
  };
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': options.service ?? 'test-svc',
      'deployment.environment': 'test',
    }),
    spanProcessors: [new SimpleSpanProcessor(recording)],
  });
  providers.push(provider);
  return { provider, results };
}

/** A parent SERVER span with a CLIENT child that fails, with fixed timestamps beyond 2^53 ns. */
function emitTrace(provider: BasicTracerProvider): { parent: Span; child: Span } {
  const tracer = provider.getTracer('otlp-receiver-test', '1.0.0');
  const parent = tracer.startSpan('GET /catalog', {
    kind: SpanKind.SERVER,
    startTime: [1_700_000_000, 123_456_789],
    attributes: { 'http.method': 'GET', 'http.status_code': 200 },
  });
  const child = tracer.startSpan(
    'catalog.Catalog/GetTitle',
    {
      kind: SpanKind.CLIENT,
      startTime: [1_700_000_000, 200_000_000],
      attributes: {
        'rpc.system': 'grpc',
        'rpc.grpc.status_code': 14,
        'retry.count': -2,
        'big.int': 2 ** 40,
        ratio: 0.25,
        cached: false,
        tags: ['a', 'b'],
        codes: [1, 2.5, 3],
      },
    },
    trace.setSpan(context.active(), parent),
  );
  child.addEvent('retry', { attempt: 1, reason: 'UNAVAILABLE' }, [1_700_000_000, 300_000_000]);
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'catalog unavailable' });
  child.end([1_700_000_000, 400_000_000]);
  parent.setStatus({ code: SpanStatusCode.OK });
  parent.end([1_700_000_001, 0]);
  return { parent, child };
}

/**
 * Counts zlib.createGunzip calls — the server's inflation of gzip messages (the client only compresses, and the
 * receiver answers uncompressed). zlib's exports are read-only but configurable, so jest.spyOn cannot replace them.
 */
function countGunzips(): { readonly calls: number } {
  const original = Object.getOwnPropertyDescriptor(zlib, 'createGunzip');
  if (!original) throw new Error('zlib.createGunzip is missing');
  const counter = { calls: 0 };
  const createGunzip = zlib.createGunzip;
  Object.defineProperty(zlib, 'createGunzip', {
    ...original,
    value: (...args: Parameters<typeof zlib.createGunzip>) => {
      counter.calls++;
      return createGunzip(...args);
    },
  });
  restores.push(() => Object.defineProperty(zlib, 'createGunzip', original));
  return counter;
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

function byName(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const span = spans.find((candidate) => candidate.name === name);
  if (!span) throw new Error(`no span named ${name} in:\n${describeTrace(spans)}`);
  return span;
}

describe('OtlpReceiver', () => {
  it('listens on 127.0.0.1 with an ephemeral port and exposes an endpoint for OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    const receiver = await startReceiver();
    expect(receiver.port).toBeGreaterThan(0);
    expect(receiver.address).toBe(`127.0.0.1:${receiver.port}`);
    expect(receiver.endpoint).toBe(`http://127.0.0.1:${receiver.port}`);
    expect(receiver.spans()).toEqual([]);
    expect(receiver.exportRequests).toBe(0);
  });

  it('decodes spans exported by the real SDK and OTLP/gRPC exporter', async () => {
    const receiver = await startReceiver();
    const { provider, results } = pipeline(receiver);
    const { parent, child } = emitTrace(provider);
    await provider.forceFlush();

    const spans = await receiver.waitFor((all) => all.length === 2, 'parent and child span');
    expect(results.map((result) => result.code)).toEqual([ExportResultCode.SUCCESS, ExportResultCode.SUCCESS]);
    expect(receiver.exportRequests).toBe(2); // SimpleSpanProcessor exports each span on its own

    const traceId = parent.spanContext().traceId;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(receiver.traceIds()).toEqual([traceId]);
    expect(receiver.trace(traceId)).toHaveLength(2);
    expect(receiver.trace(traceId.toUpperCase())).toHaveLength(2);
    expect(receiver.trace('0'.repeat(32))).toEqual([]);

    const server = byName(spans, 'GET /catalog');
    const client = byName(spans, 'catalog.Catalog/GetTitle');
    expect(server).toMatchObject({
      traceId,
      spanId: parent.spanContext().spanId,
      parentSpanId: '',
      kind: 'SERVER',
      service: 'test-svc',
      scope: 'otlp-receiver-test',
      startTimeUnixNano: 1_700_000_000_123_456_789n,
      endTimeUnixNano: 1_700_000_001_000_000_000n,
      attributes: { 'http.method': 'GET', 'http.status_code': 200 },
      events: [],
      status: { code: 'OK', message: '' },
    });
    expect(server.resource).toMatchObject({ 'service.name': 'test-svc', 'deployment.environment': 'test' });

    expect(client).toMatchObject({
      traceId,
      spanId: child.spanContext().spanId,
      parentSpanId: parent.spanContext().spanId,
      kind: 'CLIENT',
      service: 'test-svc',
      startTimeUnixNano: 1_700_000_000_200_000_000n,
      endTimeUnixNano: 1_700_000_000_400_000_000n,
      status: { code: 'ERROR', message: 'catalog unavailable' },
    });
    expect(client.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(client.attributes).toEqual({
      'rpc.system': 'grpc',
      'rpc.grpc.status_code': 14,
      'retry.count': -2,
      'big.int': 2 ** 40,
      ratio: 0.25,
      cached: false,
      tags: ['a', 'b'],
      codes: [1, 2.5, 3],
    });
    expect(client.events).toEqual([
      { name: 'retry', timeUnixNano: 1_700_000_000_300_000_000n, attributes: { attempt: 1, reason: 'UNAVAILABLE' } },
    ]);

    expect(parentOf(client, spans)).toBe(server);
    expect(parentOf(server, spans)).toBeUndefined();
    expect(childrenOf(server, spans)).toEqual([client]);
    expect(childrenOf(client, spans)).toEqual([]);
    expect(describeTrace(spans)).toBe(
      [
        'test-svc SERVER GET /catalog [OK]',
        '  test-svc CLIENT catalog.Catalog/GetTitle [ERROR: catalog unavailable]',
      ].join('\n'),
    );
  });

  it('accepts gzip-compressed Export requests (grpc-js inflates them before the handler)', async () => {
    const receiver = await startReceiver();
    // grpc-js strips grpc-encoding before the handler sees the call, so observe the server's gunzip directly.
    const gunzip = countGunzips();
    const { provider, results } = pipeline(receiver, { compression: 'gzip' as ExporterCompression });
    emitTrace(provider);
    await provider.forceFlush();

    const spans = await receiver.waitFor((all) => all.length === 2, 'both spans, gzip-compressed');
    expect(results.map((result) => result.code)).toEqual([ExportResultCode.SUCCESS, ExportResultCode.SUCCESS]);
    expect(gunzip.calls).toBeGreaterThan(0);
    expect(byName(spans, 'catalog.Catalog/GetTitle').attributes['tags']).toEqual(['a', 'b']);
    expect(parentOf(byName(spans, 'catalog.Catalog/GetTitle'), spans)).toBe(byName(spans, 'GET /catalog'));
  });

  it('does not inflate anything when the exporter does not compress (control for the gzip test)', async () => {
    const receiver = await startReceiver();
    const gunzip = countGunzips();
    const { provider } = pipeline(receiver);
    emitTrace(provider);
    await provider.forceFlush();
    await receiver.waitFor((all) => all.length === 2, 'both spans, uncompressed');
    expect(gunzip.calls).toBe(0);
  });

  it('works as OTEL_EXPORTER_OTLP_ENDPOINT for an exporter configured from the environment (gzip via env too)', async () => {
    const receiver = await startReceiver();
    const gunzip = countGunzips();
    const saved = {
      endpoint: process.env['OTEL_EXPORTER_OTLP_ENDPOINT'],
      compression: process.env['OTEL_EXPORTER_OTLP_COMPRESSION'],
    };
    restores.push(() => {
      restoreEnv('OTEL_EXPORTER_OTLP_ENDPOINT', saved.endpoint);
      restoreEnv('OTEL_EXPORTER_OTLP_COMPRESSION', saved.compression);
    });
    process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = receiver.endpoint;
    process.env['OTEL_EXPORTER_OTLP_COMPRESSION'] = 'gzip';
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'env-svc' }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter())],
    });
    providers.push(provider);
    provider.getTracer('t').startSpan('from-env').end();
    await provider.forceFlush();
    const spans = await receiver.waitFor((all) => all.length === 1, 'the span exported via the env endpoint');
    expect(spans[0]).toMatchObject({ service: 'env-svc', name: 'from-env', kind: 'INTERNAL' });
    expect(gunzip.calls).toBeGreaterThan(0);
  });

  it('answers Export with failWith: the exporter reports failure and the request is counted', async () => {
    const receiver = await startReceiver({ failWith: GrpcStatus.UNAVAILABLE });
    const { provider, results } = pipeline(receiver);
    provider.getTracer('t').startSpan('doomed').end();
    // In SDK 2.x a failed SimpleSpanProcessor export makes forceFlush reject (the provider collects the errors).
    await expect(provider.forceFlush()).rejects.toEqual([expect.objectContaining({ code: GrpcStatus.UNAVAILABLE })]);

    expect(results).toHaveLength(1);
    expect(results[0]?.code).toBe(ExportResultCode.FAILED);
    expect(results[0]?.error).toMatchObject({ code: GrpcStatus.UNAVAILABLE });
    expect(receiver.exportRequests).toBe(1); // gRPC exports are not retried by the 0.223 exporter
    expect(receiver.spans()).toEqual([]); // a failing collector records nothing

    receiver.setFailure(undefined);
    provider.getTracer('t').startSpan('recovered').end();
    await provider.forceFlush();
    expect(results.map((result) => result.code)).toEqual([ExportResultCode.FAILED, ExportResultCode.SUCCESS]);
    expect(receiver.exportRequests).toBe(2);
    expect(receiver.spans().map((received) => received.name)).toEqual(['recovered']);

    receiver.setFailure(GrpcStatus.RESOURCE_EXHAUSTED);
    provider.getTracer('t').startSpan('throttled').end();
    await expect(provider.forceFlush()).rejects.toEqual([
      expect.objectContaining({ code: GrpcStatus.RESOURCE_EXHAUSTED }),
    ]);
    expect(results[2]?.error).toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED });
    expect(receiver.exportRequests).toBe(3);
    expect(receiver.spans().map((received) => received.name)).toEqual(['recovered']);
  });

  it('clear() forgets spans and the request count', async () => {
    const receiver = await startReceiver();
    const { provider } = pipeline(receiver);
    emitTrace(provider);
    await provider.forceFlush();
    await receiver.waitFor((all) => all.length === 2, 'both spans');
    receiver.clear();
    expect(receiver.spans()).toEqual([]);
    expect(receiver.traceIds()).toEqual([]);
    expect(receiver.exportRequests).toBe(0);
  });

  it('waitFor resolves on arrival of later exports', async () => {
    const receiver = await startReceiver();
    const { provider } = pipeline(receiver, { service: 'late-svc' });
    const waiting = receiver.waitFor((all) => all.some((span) => span.name === 'late'), 'the late span');
    provider.getTracer('t').startSpan('late').end();
    const spans = await waiting;
    expect(spans.map((span) => `${span.service}/${span.name}`)).toEqual(['late-svc/late']);
  });

  it('waitFor gives up after its bound with a dump of what arrived', async () => {
    const receiver = await startReceiver();
    const { provider } = pipeline(receiver);
    emitTrace(provider);
    await provider.forceFlush();
    await receiver.waitFor((all) => all.length === 2, 'both spans');

    const failure = receiver.waitFor((all) => all.some((span) => span.name === 'never'), 'a span named never', 50);
    await expect(failure).rejects.toThrow('otlp-receiver: never happened: a span named never');
    await expect(failure).rejects.toThrow('2 Export request(s), 2 span(s) received');
    await expect(failure).rejects.toThrow('  test-svc CLIENT catalog.Catalog/GetTitle [ERROR: catalog unavailable]');
  });

  it('stop() closes the port: later exports fail', async () => {
    const receiver = await startReceiver();
    const { provider, results } = pipeline(receiver);
    await receiver.stop();
    provider.getTracer('t').startSpan('after-stop').end();
    await expect(provider.forceFlush()).rejects.toEqual([expect.objectContaining({ code: GrpcStatus.UNAVAILABLE })]);
    expect(results.map((result) => result.code)).toEqual([ExportResultCode.FAILED]);
    expect(receiver.exportRequests).toBe(0);
  });
});

describe('flattening and trace helpers', () => {
  const hexId = (byte: number, length: number): Buffer => Buffer.alloc(length, byte);

  it('round-trips through the real schema and converts int64 Long values without losing precision', () => {
    const bytes = encodeExportTraceServiceRequest({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
          scopeSpans: [
            {
              scope: { name: 'scope' },
              spans: [
                {
                  traceId: hexId(0xab, 16),
                  spanId: hexId(0x0c, 8),
                  name: 'raw',
                  kind: 5,
                  startTimeUnixNano: '18446744073709551615', // max fixed64
                  endTimeUnixNano: 1,
                  attributes: [
                    { key: 'min', value: { intValue: '-9223372036854775808' } },
                    { key: 'bytes', value: { bytesValue: Buffer.from([0xde, 0xad]) } },
                    {
                      key: 'kv',
                      value: { kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } },
                    },
                    { key: 'flags', value: { arrayValue: { values: [{ boolValue: true }, { boolValue: false }] } } },
                    { key: 'mixed', value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: 1 }] } } },
                    { key: 'empty', value: {} },
                  ],
                  status: { code: 2 },
                },
              ],
            },
          ],
        },
      ],
    });
    const decoded = decodeExportTraceServiceRequest(bytes);
    const rawTime = decoded.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0]?.startTimeUnixNano;
    expect(rawTime).toMatchObject({ unsigned: true }); // protobufjs hands fixed64 over as a Long
    expect(int64ToBigInt(rawTime)).toBe(18_446_744_073_709_551_615n);

    const [span] = flattenRequest(decoded);
    expect(span).toMatchObject({
      traceId: 'ab'.repeat(16),
      spanId: '0c'.repeat(8),
      parentSpanId: '',
      kind: 'CONSUMER',
      service: 'svc',
      scope: 'scope',
      startTimeUnixNano: 18_446_744_073_709_551_615n,
      endTimeUnixNano: 1n,
      status: { code: 'ERROR', message: '' },
      attributes: {
        min: -(2 ** 63),
        bytes: 'dead',
        kv: '{"k":true}',
        flags: [true, false],
        mixed: ['x', '1'],
        empty: '',
      },
    });
  });

  it('describeTrace shows orphans and separates traces', () => {
    const span = (
      traceId: string,
      spanId: string,
      parentSpanId: string,
      name: string,
      start: bigint,
    ): ReceivedSpan => ({
      traceId,
      spanId,
      parentSpanId,
      name,
      kind: 'INTERNAL',
      service: 'svc',
      startTimeUnixNano: start,
      endTimeUnixNano: start + 1n,
      attributes: {},
      events: [],
      status: { code: 'UNSET', message: '' },
      resource: {},
      scope: '',
    });
    const spans = [
      span('t1', 'b', 'a', 'second child', 3n),
      span('t1', 'a', '', 'root', 1n),
      span('t1', 'c', 'a', 'first child', 2n),
      span('t2', 'x', 'missing', 'orphan', 1n),
    ];
    expect(describeTrace(spans)).toBe(
      [
        'trace t1',
        '  svc INTERNAL root [UNSET]',
        '    svc INTERNAL first child [UNSET]',
        '    svc INTERNAL second child [UNSET]',
        'trace t2',
        '  svc INTERNAL orphan [UNSET] (orphan of missing)',
      ].join('\n'),
    );
    expect(childrenOf(spans[1]!, spans).map((child) => child.name)).toEqual(['first child', 'second child']);
    expect(parentOf(spans[3]!, spans)).toBeUndefined();
  });
});
