import { status } from '@grpc/grpc-js';
import { SERVICES } from '@streamplane/contracts';
import {
  testClient,
  type TestClient,
  describeTrace,
  OtlpReceiver,
  parentOf,
  type ReceivedSpan,
  startServiceProcess,
  type ServiceProcess,
} from '@streamplane/testkit';

/**
 * Trace shape across real processes (subtitles → catalog), checked edge by edge as the OpenTelemetry
 * demo's trace tests do: one request is one trace, and every server span's parent is the client span of
 * the service that called it.
 */
describe('traces across services', () => {
  let receiver: OtlpReceiver;
  let catalog: ServiceProcess;
  let subtitles: ServiceProcess;
  let client: TestClient;
  let traceCounter = 0;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    const common = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, STREAMPLANE_FAULTS: 'enabled' };
    catalog = await startServiceProcess('catalog', common);
    subtitles = await startServiceProcess('subtitles', { ...common, CATALOG_ADDR: catalog.address });
    client = testClient(SERVICES.subtitles, subtitles.address);
  });

  afterAll(async () => {
    client?.close();
    await Promise.all([subtitles?.stop(), catalog?.stop()]);
    await receiver?.stop();
  });

  /** A fresh trace id for each call, sent as the caller's W3C traceparent. */
  function traceparent(): { traceId: string; metadata: Record<string, string> } {
    traceCounter += 1;
    const traceId = `${'ab'.repeat(12)}${String(traceCounter).padStart(8, '0')}`;
    return { traceId, metadata: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } };
  }

  function only(spans: ReceivedSpan[], predicate: (span: ReceivedSpan) => boolean, what: string): ReceivedSpan {
    const matches = spans.filter(predicate);
    if (matches.length !== 1)
      throw new Error(`expected one ${what}, found ${matches.length}:\n${describeTrace(spans)}`);
    return matches[0]!;
  }

  const serverSpan = (service: string) => (span: ReceivedSpan) => span.service === service && span.kind === 'SERVER';
  const clientSpans = (spans: ReceivedSpan[]) => spans.filter((span) => span.kind === 'CLIENT');

  it('makes one call across two services one trace, joined edge by edge', async () => {
    const { traceId, metadata } = traceparent();
    await client.call('ListTracks', { title_id: 'tt00010' }, { metadata });
    const spans = await receiver.waitFor(
      (all) => all.filter((span) => span.traceId === traceId && span.kind === 'SERVER').length === 2,
      'server spans of subtitles and catalog',
    );
    const trace = spans.filter((span) => span.traceId === traceId);

    const subtitlesServer = only(trace, serverSpan('subtitles'), 'subtitles server span');
    const catalogServer = only(trace, serverSpan('catalog'), 'catalog server span');
    const attempt = only(trace, (span) => span.kind === 'CLIENT' && span.service === 'subtitles', 'client span');
    const call = parentOf(attempt, trace);

    expect(subtitlesServer.parentSpanId).toBe('00f067aa0ba902b7');
    expect(call).toMatchObject({ service: 'subtitles', kind: 'INTERNAL', name: 'catalog/GetTitle' });
    expect(parentOf(call!, trace)).toBe(subtitlesServer);
    expect(attempt).toMatchObject({
      name: 'streamplane.catalog.v1.CatalogService/GetTitle',
      attributes: expect.objectContaining({ 'streamplane.attempt': 1, 'rpc.grpc.status_code': status.OK }),
    });
    // The edge between processes: catalog's server span is the child of subtitles' client span.
    expect(parentOf(catalogServer, trace)).toBe(attempt);
    expect(new Set(trace.map((span) => span.traceId))).toEqual(new Set([traceId]));
  });

  it('carries the status code on the error spans of both services', async () => {
    const { traceId, metadata } = traceparent();
    const error = await client.fail('ListTracks', { title_id: 'tt99999' }, { metadata });
    expect(error.code).toBe(status.NOT_FOUND);
    const spans = await receiver.waitFor(
      (all) => all.filter((span) => span.traceId === traceId && span.kind === 'SERVER').length === 2,
      'both server spans of the failed call',
    );
    const trace = spans.filter((span) => span.traceId === traceId);
    const catalogServer = only(trace, serverSpan('catalog'), 'catalog server span');
    const [attempt] = clientSpans(trace);
    expect(catalogServer.attributes['rpc.grpc.status_code']).toBe(status.NOT_FOUND);
    expect(attempt).toMatchObject({
      status: { code: 'ERROR', message: expect.stringMatching(/^NOT_FOUND/) },
      attributes: expect.objectContaining({ 'rpc.grpc.status_code': status.NOT_FOUND }),
    });
    expect(only(trace, serverSpan('subtitles'), 'subtitles server span').attributes['rpc.grpc.status_code']).toBe(
      status.NOT_FOUND,
    );
  });

  it('shows each attempt of a retried call, with the retries recorded on the call span', async () => {
    const { traceId, metadata } = traceparent();
    const error = await client.fail(
      'ListTracks',
      { title_id: 'tt00011' },
      { metadata: { ...metadata, 'x-streamplane-fault': 'catalog=UNAVAILABLE' } },
    );
    expect(error.code).toBe(status.UNAVAILABLE);
    const spans = await receiver.waitFor(
      (all) => all.filter((span) => span.traceId === traceId && span.kind === 'SERVER').length === 4,
      'the subtitles server span and three catalog attempts',
    );
    const trace = spans.filter((span) => span.traceId === traceId);
    const attempts = clientSpans(trace).sort(
      (a, b) => Number(a.attributes['streamplane.attempt']) - Number(b.attributes['streamplane.attempt']),
    );
    expect(attempts.map((span) => span.attributes['streamplane.attempt'])).toEqual([1, 2, 3]);
    const call = parentOf(attempts[0]!, trace)!;
    expect(attempts.every((span) => parentOf(span, trace) === call)).toBe(true);
    expect(call.events.filter((event) => event.name === 'retry')).toHaveLength(2);
    expect(call.attributes['streamplane.attempts']).toBe(3);
    // Each attempt reached catalog as its own server span, parented by that attempt.
    const catalogServers = trace.filter(serverSpan('catalog'));
    const parentIds = catalogServers.map((span) => parentOf(span, trace)?.spanId).sort();
    expect(parentIds).toEqual(attempts.map((span) => span.spanId).sort());
  });

  it('exports retries and breaker state as metrics of the calling service', async () => {
    const text = await (await fetch(`http://127.0.0.1:${subtitles.metricsPort}/metrics`)).text();
    const retries = /streamplane_client_events(?:_total)?\{[^}]*event="retry"[^}]*target="catalog"[^}]*\} (\d+)/.exec(
      text,
    );
    expect(Number(retries?.[1])).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/streamplane_client_breaker_state\{[^}]*breaker="catalog\/GetTitle"[^}]*\} 0/);
    expect(text).toMatch(/rpc_client_duration_count\{[^}]*rpc_method="GetTitle"[^}]*\} \d+/);
  });
});
