import { Client, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { eventually } from '@streamplane/testkit';
import { freePort } from '@streamplane/tools';
import { startInProcess, type ControlRoomUnderTest } from '../in-process';

interface DrawnSpan {
  spanId: string;
  parentSpanId: string;
  service: string;
  name: string;
  kind: string;
  startMs: number;
  durationMs: number;
  status: string;
  statusMessage: string;
  marks: string[];
  attributes: Record<string, unknown>;
}

/**
 * Spans from the OpenTelemetry SDK's own OTLP/gRPC exporter (as every service sends them) reach the
 * control room's receiver, and come back from its API grouped into one trace across two services, in tree
 * order, with the resilient client's retries and fallbacks marked.
 */
describe('the OTLP receiver, fed by the SDK’s OTLP/gRPC exporter', () => {
  let room: ControlRoomUnderTest;
  const providers: TracerProvider[] = [];

  beforeAll(async () => {
    room = await startInProcess({ OTLP_PORT: String(await freePort()) });
  });

  afterAll(async () => {
    await Promise.allSettled(providers.map((provider) => provider.shutdown()));
    await room?.shutdown('test done');
  });

  const tracerOf = (service: string) => {
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      spanProcessors: [
        new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `http://127.0.0.1:${room.otlpPort}` }) }),
      ],
    });
    providers.push(provider);
    return provider.getTracer('control-room-test');
  };

  const under = (parent: Span) => trace.setSpan(context.active(), parent);

  it('stores what it receives and draws it as one trace across services, marks included', async () => {
    const subtitles = tracerOf('subtitles');
    const catalog = tracerOf('catalog');

    // subtitles serves ListTracks and calls catalog: a first attempt fails, the retry is answered.
    const served = subtitles.startSpan('streamplane.subtitles.v1.SubtitlesService/ListTracks', {
      kind: SpanKind.SERVER,
    });
    const call = subtitles.startSpan('catalog/GetTitle', { kind: SpanKind.INTERNAL }, under(served));
    const first = subtitles.startSpan(
      'streamplane.catalog.v1.CatalogService/GetTitle',
      { kind: SpanKind.CLIENT, attributes: { 'streamplane.attempt': 1 } },
      under(call),
    );
    first.setStatus({ code: SpanStatusCode.ERROR, message: 'UNAVAILABLE: connection refused' });
    first.end();
    call.addEvent('retry', { attempt: 2, backoff_ms: 12, code: 'UNAVAILABLE' });
    const second = subtitles.startSpan(
      'streamplane.catalog.v1.CatalogService/GetTitle',
      { kind: SpanKind.CLIENT, attributes: { 'streamplane.attempt': 2 } },
      under(call),
    );
    const answered = catalog.startSpan(
      'streamplane.catalog.v1.CatalogService/GetTitle',
      { kind: SpanKind.SERVER, attributes: { 'rpc.grpc.status_code': 0 } },
      under(second),
    );
    answered.end();
    second.end();
    call.addEvent('fallback', { code: 'UNAVAILABLE' });
    call.setAttribute('streamplane.attempts', 2);
    call.end();
    served.end();
    await Promise.all(providers.map((provider) => provider.forceFlush()));

    const traceId = served.spanContext().traceId;
    let spans: DrawnSpan[] = [];
    await eventually(async () => {
      const { status, body } = await room.getJson<{ spans: DrawnSpan[] }>(`/api/traces/${traceId}`);
      spans = status === 200 ? body.spans : [];
      return spans.length === 5;
    }, 'all five spans are kept');

    expect(spans.map(({ service, kind, name, marks }) => [service, kind, name, marks])).toEqual([
      ['subtitles', 'SERVER', 'streamplane.subtitles.v1.SubtitlesService/ListTracks', []],
      ['subtitles', 'INTERNAL', 'catalog/GetTitle', ['retry', 'fallback']],
      ['subtitles', 'CLIENT', 'streamplane.catalog.v1.CatalogService/GetTitle', []],
      ['subtitles', 'CLIENT', 'streamplane.catalog.v1.CatalogService/GetTitle', ['retry']],
      ['catalog', 'SERVER', 'streamplane.catalog.v1.CatalogService/GetTitle', []],
    ]);
    expect(spans[0]).toMatchObject({ spanId: served.spanContext().spanId, parentSpanId: '', startMs: 0 });
    expect(spans[4]!.parentSpanId).toBe(second.spanContext().spanId);
    expect(spans[2]).toMatchObject({ status: 'ERROR', statusMessage: 'UNAVAILABLE: connection refused' });
    expect(spans[1]!.attributes).toEqual({ 'streamplane.attempts': 2 });
    // Placed from the earliest start; each service's clock is its own, so only order within one is exact.
    for (const span of spans) expect(span.startMs).toBeGreaterThanOrEqual(0);
    expect(spans[3]!.startMs).toBeGreaterThan(spans[2]!.startMs);

    const { body: state } = await room.getJson<{ traces: Array<Record<string, unknown>>; traceStore: object }>(
      '/api/state',
    );
    expect(state.traces).toEqual([
      expect.objectContaining({
        traceId,
        rootService: 'subtitles',
        rootName: 'streamplane.subtitles.v1.SubtitlesService/ListTracks',
        spanCount: 5,
        errorCount: 1,
        services: ['subtitles', 'catalog'],
        marks: ['retry', 'fallback'],
      }),
    ]);
    expect(state.traceStore).toMatchObject({ otlpPort: room.otlpPort, traces: 1, spans: 5 });
  });

  it('answers a request that is no ExportTraceServiceRequest with an error, and keeps nothing of it', async () => {
    const client = new Client(`127.0.0.1:${room.otlpPort}`, credentials.createInsecure());
    const error = await new Promise<ServiceError | null>((resolve) =>
      client.makeUnaryRequest(
        '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        (bytes: Buffer) => bytes,
        (bytes: Buffer) => bytes,
        Buffer.from([0x0a, 0xff, 0xff, 0xff]),
        (failure) => resolve(failure),
      ),
    );
    client.close();
    expect(error?.code).toBe(status.INTERNAL);
    const { body } = await room.getJson<{ traceStore: { spans: number } }>('/api/state');
    expect(body.traceStore.spans).toBe(5);
  });
});
