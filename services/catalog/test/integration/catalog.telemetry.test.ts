import { status } from '@grpc/grpc-js';
import { SERVICES } from '@streamplane/contracts';
import {
  testClient,
  OtlpReceiver,
  eventually,
  startServiceProcess,
  type LogLine,
  type ServiceProcess,
} from '@streamplane/testkit';

/** A real catalog process exporting traces over OTLP/gRPC, with W3C trace context from its caller. */
describe('catalog telemetry', () => {
  const callerTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const callerSpanId = '00f067aa0ba902b7';
  let receiver: OtlpReceiver;
  let catalog: ServiceProcess;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    catalog = await startServiceProcess('catalog', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint });
  });

  afterAll(async () => {
    await catalog?.stop();
    await receiver?.stop();
  });

  it('continues the caller’s trace: the server span’s parent is the calling span', async () => {
    const client = testClient(SERVICES.catalog, catalog.address);
    try {
      await client.call(
        'GetTitle',
        { title_id: 'tt00001' },
        { metadata: { traceparent: `00-${callerTraceId}-${callerSpanId}-01` } },
      );
    } finally {
      client.close();
    }
    const [span] = await receiver.waitFor(
      (spans) => spans.some((candidate) => candidate.traceId === callerTraceId),
      'the GetTitle server span',
    );
    const server = receiver.trace(callerTraceId).find((candidate) => candidate.kind === 'SERVER');
    expect(span).toBeDefined();
    expect(server).toMatchObject({
      service: 'catalog',
      name: 'streamplane.catalog.v1.CatalogService/GetTitle',
      parentSpanId: callerSpanId,
      attributes: expect.objectContaining({
        'rpc.system': 'grpc',
        'rpc.service': 'streamplane.catalog.v1.CatalogService',
        'rpc.method': 'GetTitle',
        'rpc.grpc.status_code': status.OK,
      }),
    });
  });

  it('records the status code on error spans, and marks server faults as errors', async () => {
    const client = testClient(SERVICES.catalog, catalog.address);
    try {
      await client.fail('GetTitle', { title_id: 'tt99999' });
    } finally {
      client.close();
    }
    const spans = await receiver.waitFor(
      (all) => all.some((span) => span.attributes['rpc.grpc.status_code'] === status.NOT_FOUND),
      'a NOT_FOUND server span',
    );
    const notFound = spans.find((span) => span.attributes['rpc.grpc.status_code'] === status.NOT_FOUND);
    // A caller error is an answer, not a server fault (OpenTelemetry's rule for server spans).
    expect(notFound?.status.code).toBe('UNSET');
  });

  it('writes the trace and span ids into the log lines of a call', async () => {
    const client = testClient(SERVICES.catalog, catalog.address);
    const traceId = 'aaaabbbbccccddddeeeeffff00001111';
    try {
      await client.fail(
        'GetTitle',
        { title_id: 'tt99998' },
        { metadata: { traceparent: `00-${traceId}-${callerSpanId}-01` } },
      );
    } finally {
      client.close();
    }
    const isTheCall = (entry: LogLine) => entry.msg === 'call failed' && entry.trace_id === traceId;
    // The log line travels through a pipe: it may arrive just after the answer.
    await eventually(() => catalog.logs.some(isTheCall), 'the failed call in the log');
    const line = catalog.logs.find(isTheCall);
    expect(line).toMatchObject({ trace_id: traceId, span_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
    const spans = await receiver.waitFor((all) => all.some((span) => span.traceId === traceId), 'the traced call');
    expect(spans.find((span) => span.traceId === traceId)?.spanId).toBe(line!.span_id);
  });

  it('serves RED metrics for Prometheus', async () => {
    const response = await fetch(`http://127.0.0.1:${catalog.metricsPort}/metrics`);
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).toMatch(
      /rpc_server_duration_count\{[^}]*rpc_method="GetTitle"[^}]*rpc_grpc_status_code="0"[^}]*\} \d+/,
    );
    expect(text).toMatch(
      /rpc_server_duration_count\{[^}]*rpc_method="GetTitle"[^}]*rpc_grpc_status_code="5"[^}]*\} \d+/,
    );
  });

  it('flushes its spans on SIGTERM before exiting', async () => {
    const flushing = await startServiceProcess('catalog', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint });
    const traceId = '1234567890abcdef1234567890abcdef';
    const client = testClient(SERVICES.catalog, flushing.address);
    try {
      await client.call(
        'GetTitle',
        { title_id: 'tt00002' },
        { metadata: { traceparent: `00-${traceId}-${callerSpanId}-01` } },
      );
    } finally {
      client.close();
    }
    // Stopped straight away: the span is still in the batch queue, and only the shutdown flush exports it.
    expect(await flushing.stop('SIGTERM')).toBe(0);
    expect(receiver.trace(traceId).map((span) => span.name)).toContain(
      'streamplane.catalog.v1.CatalogService/GetTitle',
    );
  });
});

describe('catalog with an unreachable collector', () => {
  it('keeps serving and exits cleanly', async () => {
    const receiver = await OtlpReceiver.start();
    const endpoint = receiver.endpoint;
    await receiver.stop(); // nothing listens there any more
    const catalog = await startServiceProcess('catalog', { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
    const client = testClient(SERVICES.catalog, catalog.address);
    try {
      for (let i = 0; i < 50; i++) await client.call('GetTitle', { title_id: 'tt00001' });
    } finally {
      client.close();
    }
    expect(await catalog.stop('SIGTERM')).toBe(0);
  });
});

describe('catalog sampling from the standard OTEL_ variables', () => {
  it('samples parent-based: a sampled caller is followed even at ratio 0, a root call is not sampled', async () => {
    const receiver = await OtlpReceiver.start();
    const catalog = await startServiceProcess('catalog', {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0',
    });
    const client = testClient(SERVICES.catalog, catalog.address);
    const followed = 'ffffeeeeddddccccbbbbaaaa99998888';
    try {
      await client.call('GetTitle', { title_id: 'tt00001' }); // a root: ratio 0 drops it
      await client.call(
        'GetTitle',
        { title_id: 'tt00002' },
        { metadata: { traceparent: `00-${followed}-00f067aa0ba902b7-01` } },
      );
    } finally {
      client.close();
      expect(await catalog.stop('SIGTERM')).toBe(0); // flushes
      await receiver.stop();
    }
    expect(receiver.traceIds()).toEqual([followed]);
  });
});
