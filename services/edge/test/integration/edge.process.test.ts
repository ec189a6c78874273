import { SERVICES } from '@streamplane/contracts';
import { startServiceProcess, testClient, type ServiceProcess, type TestClient } from '@streamplane/testkit';
import { parse } from 'mpd-parser';
import { fetchFromEdge, type Protocol } from '../http-client';

interface Candidate {
  appliance_id: string;
  url: string;
}

/**
 * The built edge against real catalog, recommendations and steering processes: a URL steering signed
 * plays over HTTP/1.1 and h2c, and steering's fill plan warms the cache.
 */
describe('the edge process against catalog and steering', () => {
  const started: ServiceProcess[] = [];
  let edge: ServiceProcess;
  let steering: TestClient;

  beforeAll(async () => {
    const catalog = await startServiceProcess('catalog');
    started.push(catalog);
    const recommendations = await startServiceProcess('recommendations', { CATALOG_ADDR: catalog.address });
    started.push(recommendations);
    const steeringProcess = await startServiceProcess('steering', { RECOMMENDATIONS_ADDR: recommendations.address });
    started.push(steeringProcess);
    edge = await startServiceProcess('edge', {
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      CATALOG_ADDR: catalog.address,
      STEERING_ADDR: steeringProcess.address,
      EDGE_ORIGIN_LATENCY_MS: '1',
      EDGE_FILL_MAX_TITLES: '3',
      EDGE_FILL_SEGMENTS_PER_RENDITION: '1',
      EDGE_FILL_BANDWIDTH_MBPS: '100000',
    });
    started.push(edge);
    steering = testClient(SERVICES.steering, steeringProcess.address);
  }, 120_000);

  afterAll(async () => {
    steering?.close();
    // Dependents first, each stopped even if another stop fails.
    await Promise.allSettled(started.reverse().map((process) => process.stop()));
  });

  it.each<Protocol>(['http/1.1', 'h2c'])('plays a title from a URL steering signed, over %s', async (protocol) => {
    const { candidates } = await steering.call<{ candidates: Candidate[] }>('SteerPlayback', {
      title_id: 'tt00001',
      client: { country: 'US' },
    });
    const url = new URL(candidates[0]!.url);
    const manifest = await fetchFromEdge(edge.port, url.host, url.pathname + url.search, { protocol });
    expect(manifest.status).toBe(200);
    const parsed = parse(manifest.body.toString(), { manifestUri: url.href });
    expect(parsed.playlists.length).toBeGreaterThan(5);
    const top = parsed.playlists.at(-1)!;
    for (const segmentUrl of [
      top.segments[0]!.map!.resolvedUri,
      top.segments[0]!.resolvedUri,
      top.segments[1]!.resolvedUri,
    ]) {
      const target = new URL(segmentUrl);
      const segment = await fetchFromEdge(edge.port, url.host, target.pathname + target.search, { protocol });
      expect(segment.status).toBe(200);
      expect(segment.httpVersion).toBe(protocol === 'h2c' ? '2' : '1.1');
    }
    const media = await fetchFromEdge(
      edge.port,
      url.host,
      new URL(top.segments[1]!.resolvedUri).pathname + url.search,
      { protocol },
    );
    expect(media.body.length).toBe((top.attributes.BANDWIDTH * 4) / 8);
  });

  it('applies steering’s fill plan, so a planned title’s first segment is a hit', async () => {
    const started = await fetchFromEdge(edge.port, '127.0.0.1', '/admin/fill?region=us-east', { method: 'POST' });
    expect(started.status).toBe(202);
    const { titleIds } = JSON.parse(started.body.toString()) as { titleIds: string[] };
    expect(titleIds.length).toBeGreaterThan(0);
    let report: { outcome: string; segmentsFilled: number } = { outcome: 'running', segmentsFilled: 0 };
    for (let attempt = 0; attempt < 600 && report.outcome === 'running'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      report = JSON.parse(
        (await fetchFromEdge(edge.port, '127.0.0.1', '/admin/fill')).body.toString(),
      ) as typeof report;
    }
    expect(report.outcome).toMatch(/^(done|cache-full)$/);
    expect(report.segmentsFilled).toBeGreaterThan(0);

    const { candidates } = await steering.call<{ candidates: Candidate[] }>('SteerPlayback', {
      title_id: titleIds[0],
      client: { country: 'US' },
    });
    const url = new URL(candidates[0]!.url);
    const parsed = parse((await fetchFromEdge(edge.port, url.host, url.pathname + url.search)).body.toString(), {
      manifestUri: url.href,
    });
    const first = new URL(parsed.playlists[0]!.segments[0]!.resolvedUri);
    expect((await fetchFromEdge(edge.port, url.host, first.pathname + first.search)).headers['x-cache']).toBe('HIT');
  });

  it('is ready, and exports its cache and traffic for Prometheus', async () => {
    expect((await fetchFromEdge(edge.port, '127.0.0.1', '/healthz')).status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${edge.metricsPort}/metrics`)).text();
    for (const name of [
      'streamplane_edge_cache_lookups_total{result="hit"',
      'streamplane_edge_cache_lookups_total{result="miss"',
      'streamplane_edge_served_bytes_total',
      'streamplane_edge_fill_bytes_total{reason="proactive"',
      'streamplane_edge_in_flight_requests',
    ]) {
      expect(metrics).toContain(name);
    }
    expect(edge.logs.some((line) => line.msg === 'fill started' && typeof line.trace_id === 'string')).toBe(true);
  });
});
