import { trace } from '@opentelemetry/api';
import { Logger } from '@streamplane/platform';
import { ManualClock } from '@streamplane/testkit';
import { signCdnUrl } from '@streamplane/streaming';
import { parse } from 'mpd-parser';
import { SimulatedOrigin } from '../../src/adapters/simulated-origin';
import { CleartextListener } from '../../src/api/cleartext-listener';
import { EdgeHttp } from '../../src/api/edge-http';
import { ApplianceRequests } from '../../src/application/appliance-requests';
import { systemTimers, type FillPlans } from '../../src/application/ports';
import { ProactiveFill } from '../../src/application/proactive-fill';
import { SegmentStore } from '../../src/application/segment-store';
import { FillWindow, INIT_SEGMENT_BYTES, SegmentCache, segmentContent } from '../../src/domain';
import { CountingMetrics, FakeTitles } from '../fixtures';
import { fetchFromEdge, type Protocol } from '../http-client';

const SECRET = 'edge-test-secret-of-enough-length';
const HOSTED = 'oca-us-east-00001';
const HOST = `${HOSTED}.oca.streamplane.example`;
const NOW = new Date('2026-06-01T12:00:00Z');

/** The path and query of a URL signed for `appliance`, expiring `inSeconds` after NOW. */
function signedPath(titleId: string, appliance = HOSTED, inSeconds = 3_600): { path: string; query: string } {
  const url = new URL(signCdnUrl(SECRET, appliance, titleId, new Date(NOW.getTime() + inSeconds * 1000)));
  return { path: url.pathname, query: url.search };
}

describe('the edge over HTTP (in process, fake catalog)', () => {
  const metrics = new CountingMetrics();
  // 1 MB of cache: a few low-bitrate segments, so the byte bound is reached within a test.
  const cache = new SegmentCache(1_000_000);
  const titles = new FakeTitles({ tt00001: 1, tt00002: 120 });
  const store = new SegmentStore(cache, new SimulatedOrigin(systemTimers, 0, 1e12), metrics);
  const http = new EdgeHttp({
    appliance: new ApplianceRequests(titles, store, metrics, new ManualClock(NOW), {
      cdnSecret: SECRET,
      hosts: (id) => id === HOSTED || id === 'origin',
      segmentMaxAgeSeconds: 86_400,
    }),
    fill: new ProactiveFill({} as FillPlans, titles, store, () => true, systemTimers, {
      window: FillWindow.parse('00:00-24:00', 'UTC') as FillWindow,
      capBitsPerSecond: 1e9,
      segmentsPerRendition: 1,
      maxTitles: 1,
    }),
    titles,
    gauge: metrics,
    logger: new Logger('edge', 'error'),
    tracer: trace.getTracer('edge-test'),
    readinessTtlMs: 0,
  });
  const listener = new CleartextListener(http.handle);
  let port: number;

  beforeAll(async () => {
    port = (await listener.listen(0, '127.0.0.1')).port;
  });

  afterAll(() => {
    listener.stopAccepting();
    listener.closeAll();
  });

  it.each<Protocol>(['http/1.1', 'h2c'])(
    'serves a manifest mpd-parser reads, and its segments, over %s',
    async (protocol) => {
      const { path, query } = signedPath('tt00001');
      const manifest = await fetchFromEdge(port, HOST, path + query, { protocol });
      expect(manifest).toMatchObject({ status: 200, httpVersion: protocol === 'h2c' ? '2' : '1.1' });
      expect(manifest.headers['content-type']).toBe('application/dash+xml');
      const parsed = parse(manifest.body.toString(), { manifestUri: `http://${HOST}${path}${query}` });
      const lowest = parsed.playlists[0]!;
      expect(lowest.segments).toHaveLength(15);

      const init = await fetchFromEdge(port, HOST, new URL(lowest.segments[0]!.map!.resolvedUri).pathname + query, {
        protocol,
      });
      expect(init.status).toBe(200);
      expect(init.body).toHaveLength(INIT_SEGMENT_BYTES);
      const media = new URL(lowest.segments[14]!.resolvedUri);
      const segment = await fetchFromEdge(port, HOST, media.pathname + media.search, { protocol });
      expect(segment.status).toBe(200);
      expect(segment.body).toHaveLength((235_000 * 4) / 8);
      expect(segment.headers['cache-control']).toBe('public, max-age=86400, immutable');
      expect(segment.headers['accept-ranges']).toBe('bytes');
    },
  );

  it('counts a miss, then a hit, and fills only the miss from the origin', async () => {
    const { path, query } = signedPath('tt00002');
    const before = { ...metrics, filled: metrics.filledBytes.miss };
    const first = await fetchFromEdge(port, HOST, `${path}/h264-240p-235/7.m4s${query}`);
    const second = await fetchFromEdge(port, HOST, `${path}/h264-240p-235/7.m4s${query}`, { protocol: 'h2c' });
    expect([first.headers['x-cache'], second.headers['x-cache']]).toEqual(['MISS', 'HIT']);
    expect(second.body.equals(first.body)).toBe(true);
    expect([metrics.hits - before.hits, metrics.misses - before.misses]).toEqual([1, 1]);
    expect(metrics.filledBytes.miss - before.filled).toBe(117_500);
    expect(metrics.servedBytes - before.servedBytes).toBe(2 * 117_500);
  });

  it('keeps the cache within its bytes, evicting the least recently used segment', async () => {
    const { path, query } = signedPath('tt00002');
    const segment = (number: number) => `${path}/h264-480p-1050/${number}.m4s${query}`; // 525,000 bytes each
    await fetchFromEdge(port, HOST, segment(1));
    await fetchFromEdge(port, HOST, segment(2)); // evicts what no longer fits, segment 1 among it
    expect(cache.bytes).toBeLessThanOrEqual(cache.capacityBytes);
    expect((await fetchFromEdge(port, HOST, segment(2))).headers['x-cache']).toBe('HIT');
    expect((await fetchFromEdge(port, HOST, segment(1))).headers['x-cache']).toBe('MISS');
  });

  it('honours a byte range (206) and refuses one past the end (416)', async () => {
    const { path, query } = signedPath('tt00001');
    const target = `${path}/h264-240p-235/3.m4s${query}`;
    const partial = await fetchFromEdge(port, HOST, target, { headers: { range: 'bytes=100-199' } });
    expect(partial.status).toBe(206);
    expect(partial.headers['content-range']).toBe('bytes 100-199/117500');
    const ref = { titleId: 'tt00001', renditionId: 'h264-240p-235', segment: 3 };
    expect(partial.body.equals(segmentContent(ref, 100, 199))).toBe(true);
    const suffix = await fetchFromEdge(port, HOST, target, { protocol: 'h2c', headers: { range: 'bytes=-500' } });
    expect([suffix.status, suffix.body.length, suffix.headers['content-range']]).toEqual([
      206,
      500,
      'bytes 117000-117499/117500',
    ]);
    const beyond = await fetchFromEdge(port, HOST, target, { headers: { range: 'bytes=117500-' } });
    expect([beyond.status, beyond.headers['content-range']]).toEqual([416, 'bytes */117500']);
  });

  it.each([
    ['an unsigned URL', HOST, '/titles/tt00001', 'the URL carries no expires and sig: use a signed URL'],
    [
      'another title’s signature',
      HOST,
      `/titles/tt00002${signedPath('tt00001').query}`,
      'the signature does not match this title on oca-us-east-00001',
    ],
    [
      'an expired URL',
      HOST,
      `/titles/tt00001${signedPath('tt00001', HOSTED, -1).query}`,
      'the signed URL expired at 2026-06-01T11:59:59.000Z',
    ],
    [
      'another appliance’s signature',
      'origin.oca.streamplane.example',
      `/titles/tt00001${signedPath('tt00001').query}`,
      'the signature does not match this title on origin (the origin)',
    ],
    [
      'an appliance hosted elsewhere',
      'oca-eu-west-00001.oca.streamplane.example',
      `/titles/tt00001${signedPath('tt00001', 'oca-eu-west-00001').query}`,
      'appliance oca-eu-west-00001 is not hosted here',
    ],
    [
      'a host of no appliance',
      '127.0.0.1',
      `/titles/tt00001${signedPath('tt00001').query}`,
      'host 127.0.0.1 names no appliance of oca.streamplane.example',
    ],
    [
      'a tampered expiry',
      HOST,
      `/titles/tt00001${signedPath('tt00001').query.replace(/expires=\d+/, 'expires=9999999999')}`,
      'the signature does not match this title on oca-us-east-00001',
    ],
  ])('refuses %s with 403 and a one-line reason', async (_case, host, target, reason) => {
    const answer = await fetchFromEdge(port, host, target);
    expect(answer.status).toBe(403);
    expect(answer.body.toString()).toBe(`${reason}\n`);
  });

  it.each([
    [
      'an unknown title',
      () => signedPath('tt99999').path + signedPath('tt99999').query,
      404,
      'title "tt99999" not found',
    ],
    [
      'an unknown rendition',
      () => `/titles/tt00001/h264-999p-1/1.m4s${signedPath('tt00001').query}`,
      404,
      'title tt00001 has no rendition h264-999p-1',
    ],
    [
      'a segment past the end',
      () => `/titles/tt00001/h264-240p-235/16.m4s${signedPath('tt00001').query}`,
      404,
      'segment 16 is past the end: tt00001 has 15 segments',
    ],
    [
      'a path of nothing',
      () => '/movies/tt00001',
      404,
      'no such resource: paths are /titles/<title_id>[/<rendition_id>/(init.mp4|<n>.m4s)]',
    ],
  ])('answers %s with 404 and a one-line reason', async (_case, target, status, reason) => {
    const answer = await fetchFromEdge(port, HOST, target());
    expect([answer.status, answer.body.toString()]).toEqual([status, `${reason}\n`]);
  });

  it('refuses methods other than GET and HEAD with 405, and a missing region of a fill with 400', async () => {
    const { path, query } = signedPath('tt00001');
    const posted = await fetchFromEdge(port, HOST, path + query, { method: 'DELETE' });
    expect([posted.status, posted.headers.allow]).toEqual([405, 'GET, HEAD']);
    const head = await fetchFromEdge(port, HOST, `${path}/h264-240p-235/2.m4s${query}`, { method: 'HEAD' });
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, '117500', 0]);
    const fill = await fetchFromEdge(port, '127.0.0.1', '/admin/fill', { method: 'POST' });
    expect(fill.status).toBe(400);
    expect(
      (await fetchFromEdge(port, '127.0.0.1', '/admin/fill?region=mars', { method: 'POST' })).body.toString(),
    ).toBe('region: unknown region "mars"\n');
  });

  it('is live always, and ready while catalog answers (the serving gauge says the same)', async () => {
    expect((await fetchFromEdge(port, '127.0.0.1', '/livez')).status).toBe(200);
    expect((await fetchFromEdge(port, '127.0.0.1', '/healthz')).status).toBe(200);
    expect(await http.serving()).toBe(true);
    titles.catalogUp = false;
    try {
      expect((await fetchFromEdge(port, '127.0.0.1', '/healthz', { protocol: 'h2c' })).status).toBe(503);
      expect(await http.serving()).toBe(false);
    } finally {
      titles.catalogUp = true;
    }
    expect(metrics.inFlight).toBe(0);
  });
});
