import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LOCAL_DEVELOPMENT_SECRET, signCdnUrl } from '@streamplane/streaming';
import {
  describeTrace,
  OtlpReceiver,
  parentOf,
  startServiceProcess,
  type ReceivedSpan,
  type ServiceProcess,
} from '@streamplane/testkit';
import { fetchFromEdge, type Protocol } from '../http-client';

/**
 * Real edge and catalog processes exporting to an OTLP receiver: one server span per request for a
 * title whichever protocol carried it (instrumentation-http's over HTTP/1.1, the platform's over h2c),
 * with catalog's spans below it; no span for probes and scrapes, neither the edge's nor of the catalog
 * calls they cause; and the resource every span carries (the pod, the package's version,
 * OTEL_RESOURCE_ATTRIBUTES), also on Prometheus' target_info.
 */
describe('edge request spans, and the resource of exported spans', () => {
  const CALLER_SPAN_ID = '00f067aa0ba902b7';
  const CATALOG_POD = { K8S_POD_NAME: 'catalog-6d8f7b9c4-x2x4q', K8S_NAMESPACE_NAME: 'streamplane-test' };
  let receiver: OtlpReceiver;
  let catalog: ServiceProcess;
  let edge: ServiceProcess;
  let traces = 0;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    const otlp = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint };
    catalog = await startServiceProcess('catalog', {
      ...otlp,
      ...CATALOG_POD,
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
    });
    edge = await startServiceProcess('edge', {
      ...otlp,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      CATALOG_ADDR: catalog.address,
      // Every request asks catalog, so that each trace shows the edge's call below its request span.
      EDGE_TITLE_CACHE_SIZE: '0',
      EDGE_ORIGIN_LATENCY_MS: '1',
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled([edge?.stop(), catalog?.stop()]);
    await receiver?.stop();
  });

  /** A fresh trace id, sent as the player's W3C traceparent. */
  function callerTrace(): { traceId: string; headers: Record<string, string> } {
    traces += 1;
    const traceId = `${'ef'.repeat(12)}${String(traces).padStart(8, '0')}`;
    return { traceId, headers: { traceparent: `00-${traceId}-${CALLER_SPAN_ID}-01` } };
  }

  /** GET of a title's manifest through a signed URL, as a player does; resolves with its trace. */
  async function playManifest(protocol: Protocol): Promise<{ trace: ReceivedSpan[]; signature: string }> {
    const url = new URL(
      signCdnUrl(LOCAL_DEVELOPMENT_SECRET, 'oca-us-east-00001', 'tt00001', new Date(Date.now() + 3_600_000)),
    );
    const { traceId, headers } = callerTrace();
    const manifest = await fetchFromEdge(edge.port, url.host, url.pathname + url.search, { protocol, headers });
    expect(manifest.status).toBe(200);
    await receiver.waitFor(
      (spans) =>
        spans.some((span) => span.traceId === traceId && span.service === 'edge' && span.kind === 'SERVER') &&
        spans.some((span) => span.traceId === traceId && span.service === 'catalog' && span.kind === 'SERVER'),
      `the edge's and catalog's server spans of trace ${traceId}`,
    );
    return { trace: receiver.trace(traceId), signature: url.searchParams.get('sig')! };
  }

  const edgeServerSpans = (spans: ReceivedSpan[]) =>
    spans.filter((span) => span.service === 'edge' && span.kind === 'SERVER');

  it.each([
    ['http/1.1', '@opentelemetry/instrumentation-http', '1.1'],
    ['h2c', 'streamplane', '2'],
  ] as const)(
    'makes a manifest over %s one server span (%s), above the call to catalog',
    async (protocol, scope, version) => {
      const { trace, signature } = await playManifest(protocol);
      const servers = edgeServerSpans(trace);
      expect({ servers: servers.length, trace: describeTrace(trace) }).toEqual({
        servers: 1,
        trace: expect.any(String),
      });
      const [server] = servers as [ReceivedSpan];
      expect(server).toMatchObject({
        name: 'GET /titles/{title_id}',
        scope,
        parentSpanId: CALLER_SPAN_ID,
        attributes: expect.objectContaining({
          'http.request.method': 'GET',
          'http.route': '/titles/{title_id}',
          'url.path': '/titles/tt00001',
          'http.response.status_code': 200,
          'network.protocol.version': version,
        }),
      });
      // A signed URL is a credential until it expires: its signature stays out of the span.
      expect(JSON.stringify(server.attributes)).not.toContain(signature);
      const catalogServer = trace.find((span) => span.service === 'catalog' && span.kind === 'SERVER')!;
      const ancestors: ReceivedSpan[] = [];
      for (let span = parentOf(catalogServer, trace); span; span = parentOf(span, trace)) ancestors.push(span);
      expect(ancestors).toContain(server);
    },
  );

  it('makes no spans for probes and scrapes, nor for the catalog calls they cause', async () => {
    const probeTraces: string[] = [];
    for (const protocol of ['http/1.1', 'h2c'] as const) {
      for (const path of ['/healthz', '/livez']) {
        const { traceId, headers } = callerTrace();
        probeTraces.push(traceId);
        expect((await fetchFromEdge(edge.port, '127.0.0.1', path, { protocol, headers })).status).toBe(200);
      }
    }
    expect((await fetch(`http://127.0.0.1:${edge.metricsPort}/metrics`)).status).toBe(200);
    // Spans are exported in the order they end: once a later request's have arrived, a probe's would have.
    await playManifest('http/1.1');

    const spans = receiver.spans();
    expect(spans.filter((span) => probeTraces.includes(span.traceId))).toEqual([]);
    expect(spans.filter((span) => /^\/(healthz|livez|metrics)$/.test(String(span.attributes['url.path'])))).toEqual([]);
    // The readiness check asks catalog for a title; that call went out unsampled, so catalog traced nothing.
    expect(spans.filter((span) => span.service === 'catalog' && span.parentSpanId === '')).toEqual([]);
  });

  const packageVersion = (service: string) =>
    (
      JSON.parse(readFileSync(join(__dirname, '..', '..', '..', service, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;

  it("puts the pod, the package's version and OTEL_RESOURCE_ATTRIBUTES on the spans", async () => {
    if (!receiver.spans().some((span) => span.service === 'catalog')) await playManifest('h2c');
    const spans = receiver.spans();
    const catalogResource = spans.find((span) => span.service === 'catalog')!.resource;
    expect(catalogResource).toMatchObject({
      'service.name': 'catalog',
      'service.version': packageVersion('catalog'),
      'service.instance.id': CATALOG_POD.K8S_POD_NAME,
      'k8s.pod.name': CATALOG_POD.K8S_POD_NAME,
      'k8s.namespace.name': CATALOG_POD.K8S_NAMESPACE_NAME,
      'deployment.environment.name': 'test',
      'telemetry.sdk.language': 'nodejs',
    });

    // Outside Kubernetes: the instance is the process on its host.
    const edgeResource = spans.find((span) => span.service === 'edge')!.resource;
    expect(edgeResource).toMatchObject({
      'service.version': packageVersion('edge'),
      'service.instance.id': `${hostname()}-${edge.process.pid}`,
    });
    expect(Object.keys(edgeResource).filter((key) => key.startsWith('k8s.') || key.startsWith('deployment.'))).toEqual(
      [],
    );
  });

  it('labels target_info on /metrics with the same resource', async () => {
    const text = await (await fetch(`http://127.0.0.1:${catalog.metricsPort}/metrics`)).text();
    const targetInfo = /^target_info\{(.*)\} 1$/m.exec(text)?.[1] ?? '';
    for (const label of [
      'service_name="catalog"',
      `service_instance_id="${CATALOG_POD.K8S_POD_NAME}"`,
      `service_version="${packageVersion('catalog')}"`,
      `k8s_pod_name="${CATALOG_POD.K8S_POD_NAME}"`,
      `k8s_namespace_name="${CATALOG_POD.K8S_NAMESPACE_NAME}"`,
      'deployment_environment_name="test"',
    ]) {
      expect(targetInfo).toContain(label);
    }
  });
});
