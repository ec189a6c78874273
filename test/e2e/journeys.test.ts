import { status } from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NAMES, SERVICES, type ServiceName } from '@streamplane/contracts';
import { staticAddressVariable } from '@streamplane/platform';
import { LOCAL_DEVELOPMENT_SECRET, signAccountToken } from '@streamplane/streaming';
import {
  bufCurlJson,
  bufListMethods,
  describeTrace,
  OtlpReceiver,
  parentOf,
  readmeShellBlocks,
  runReadmeBlock,
  testClient,
  type ReceivedSpan,
  type TestClient,
} from '@streamplane/testkit';
import {
  buildReport,
  DEFAULT_LOAD,
  discoverViewers,
  grpcPlatformCalls,
  Platform,
  realTimers,
  REPO_ROOT,
  runLoad,
  ViewerPool,
} from '@streamplane/tools';

interface Grant {
  playback_session_id: string;
  renditions: { height: number; hdr: boolean; bitrate_kbps: number }[];
  cdn_urls: { appliance_id: string; rank: number; url: string }[];
  subtitle_tracks: { language: string }[];
  degraded_features: string[];
}

const US_ISP_CLIENT = { ip: '203.0.113.7', country: 'US', asn: 20250 };
const TV_4K_HDR = { device_id: 'tv-1', max_height: 2160, supports_hdr: true, codecs: ['h264', 'hevc', 'av1'] };

function bearer(accountId: string): Record<string, string> {
  return { authorization: `Bearer ${signAccountToken(accountId, LOCAL_DEVELOPMENT_SECRET)}` };
}

function play(profileId: string, titleId = 'tt00001') {
  return { profile_id: profileId, title_id: titleId, device: TV_4K_HDR, client: US_ISP_CLIENT };
}

/**
 * The viewer's journeys across the whole platform: all seven services as real processes, supervised
 * exactly as `npm start` runs them (on free ports), exporting traces to an OTLP receiver.
 */
describe('the whole platform', () => {
  let receiver: OtlpReceiver;
  let platform: Platform;
  const clients: TestClient[] = [];
  let catalog: TestClient;
  let recommendations: TestClient;
  let playback: TestClient;

  /**
   * Plays until the grant satisfies `accept` (a dependency coming back, counted not timed); every grant
   * not accepted is stopped again so it holds no stream slot. Returns the accepted grant, still open.
   */
  async function playUntil(profileId: string, accept: (grant: Grant) => boolean = () => true): Promise<Grant> {
    const metadata = bearer(profileId.replace(/-p\d+$/, ''));
    let lastError: unknown;
    for (let attempt = 0; attempt < 200; attempt++) {
      try {
        const grant = await playback.call<Grant>('AuthorizePlayback', play(profileId), { metadata });
        if (accept(grant)) return grant;
        await playback.call('StopPlayback', { playback_session_id: grant.playback_session_id }, { metadata });
      } catch (error) {
        lastError = error;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no acceptable grant: ${String(lastError)}`);
  }

  function client(service: ServiceName): TestClient {
    const created = testClient(SERVICES[service], platform.address(service));
    clients.push(created);
    return created;
  }

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    platform = await Platform.start({
      ports: 'free',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, LOG_LEVEL: 'info' },
      restart: { baseMs: 50, capMs: 1_000 },
    });
    catalog = client('catalog');
    recommendations = client('recommendations');
    playback = client('playback-authorization');
  }, 120_000);

  afterAll(async () => {
    for (const created of clients) created.close();
    await platform?.stop();
    await receiver?.stop();
  });

  it.each(SERVICE_NAMES)('%s answers reflection and health through buf curl', async (service) => {
    const address = platform.address(service);
    expect(await bufListMethods(address)).toEqual(
      expect.arrayContaining([
        'grpc.health.v1.Health/Check',
        expect.stringMatching(`^${SERVICES[service].grpcService}/`),
      ]),
    );
    expect(await bufCurlJson(address, 'grpc.health.v1.Health/Check', {})).toEqual({ status: 'SERVING' });
  });

  it('browses and searches the catalog', async () => {
    const page = await catalog.call<{ titles: { title_id: string }[]; next_page_token: string }>('ListTitles', {
      country: 'US',
      genre: 'comedy',
      page_size: 5,
    });
    expect(page.titles).toHaveLength(5);
    const next = await catalog.call<{ titles: { title_id: string }[] }>('ListTitles', {
      country: 'US',
      genre: 'comedy',
      page_size: 5,
      page_token: page.next_page_token,
    });
    expect(next.titles[0]!.title_id > page.titles[4]!.title_id).toBe(true);
    const found = await catalog.call<{ titles: { name: string }[] }>('SearchTitles', { query: 'crown', country: 'US' });
    expect(found.titles[0]!.name).toMatch(/crown/i);
  });

  it('shows a profile its home rows: continue watching first, trending last', async () => {
    let answer: { rows: { row_id: string; titles: unknown[] }[]; degraded: boolean } | undefined;
    // Recommendations loads its catalog snapshot in the background after start.
    for (let attempt = 0; attempt < 100 && !answer; attempt++) {
      answer = await recommendations
        .call<typeof answer & object>('GetHomeRows', { profile_id: 'acct-0001-p1', country: 'US' })
        .catch(async () => {
          await new Promise((resolve) => setTimeout(resolve, 50));
          return undefined;
        });
    }
    expect(answer!.degraded).toBe(false);
    expect(answer!.rows[0]!.row_id).toBe('continue-watching');
    expect(answer!.rows.at(-1)!.row_id).toBe('trending-US');
    expect(answer!.rows.every((row) => row.titles.length > 0)).toBe(true);
  });

  it('hits play on premium (2160p HDR, US ISP): renditions, ranked signed URLs, subtitles; heartbeat; stop', async () => {
    const metadata = bearer('acct-0001');
    const grant = await playback.call<Grant>('AuthorizePlayback', play('acct-0001-p1'), { metadata });
    expect(Math.max(...grant.renditions.map((rendition) => rendition.height))).toBe(2160);
    expect(grant.renditions.some((rendition) => rendition.hdr)).toBe(true);
    expect(grant.cdn_urls.map((cdnUrl) => cdnUrl.rank)).toEqual(grant.cdn_urls.map((_, index) => index + 1));
    expect(grant.cdn_urls[0]!.url).toContain(grant.cdn_urls[0]!.appliance_id);
    expect(grant.subtitle_tracks.length).toBeGreaterThan(0);
    expect(grant.degraded_features).toEqual([]);

    const session = { playback_session_id: grant.playback_session_id };
    await playback.call('Heartbeat', session, { metadata });
    await playback.call('StopPlayback', session, { metadata });
    expect((await playback.fail('Heartbeat', session, { metadata })).code).toBe(status.NOT_FOUND);
  });

  it('enforces the stream limit: standard allows two', async () => {
    const metadata = bearer('acct-0002');
    const first = await playback.call<Grant>('AuthorizePlayback', play('acct-0002-p1'), { metadata });
    const second = await playback.call<Grant>('AuthorizePlayback', play('acct-0002-p1'), { metadata });
    const third = await playback.fail('AuthorizePlayback', play('acct-0002-p1'), { metadata });
    expect(third.code).toBe(status.RESOURCE_EXHAUSTED);
    for (const grant of [first, second]) {
      await playback.call('StopPlayback', { playback_session_id: grant.playback_session_id }, { metadata });
    }
  });

  it.each([
    ['UNAUTHENTICATED', status.UNAUTHENTICATED, play('acct-0001-p1'), {}],
    ['PERMISSION_DENIED (another account)', status.PERMISSION_DENIED, play('acct-0001-p1'), bearer('acct-0002')],
    [
      'PERMISSION_DENIED (kids profile)',
      status.PERMISSION_DENIED,
      play('acct-0001-p5', 'tt00003'),
      bearer('acct-0001'),
    ],
    [
      'FAILED_PRECONDITION (canceled)',
      status.FAILED_PRECONDITION,
      play('acct-0004-p1', 'tt00002'),
      bearer('acct-0004'),
    ],
    ['FAILED_PRECONDITION (country)', status.FAILED_PRECONDITION, play('acct-0001-p1', 'tt00004'), bearer('acct-0001')],
    ['NOT_FOUND (profile)', status.NOT_FOUND, play('acct-0001-p9'), bearer('acct-0001')],
    ['NOT_FOUND (title)', status.NOT_FOUND, play('acct-0001-p1', 'tt99999'), bearer('acct-0001')],
    [
      'INVALID_ARGUMENT',
      status.INVALID_ARGUMENT,
      { ...play('acct-0001-p1'), client: { country: 'USA' } },
      bearer('acct-0001'),
    ],
  ])('AuthorizePlayback answers %s', async (_, code, request, metadata) => {
    expect((await playback.fail('AuthorizePlayback', request, { metadata })).code).toBe(code);
  });

  it('plays without subtitles while subtitles is down, and with them once it is back', async () => {
    const metadata = bearer('acct-0001');
    await platform.pause('subtitles');
    try {
      const grant = await playback.call<Grant>('AuthorizePlayback', play('acct-0001-p2'), { metadata });
      expect(grant.degraded_features).toEqual(['subtitles']);
      expect(grant.subtitle_tracks).toEqual([]);
      await playback.call('StopPlayback', { playback_session_id: grant.playback_session_id }, { metadata });
    } finally {
      await platform.resume('subtitles');
    }
    const grant = await playUntil('acct-0001-p2', (granted) => granted.degraded_features.length === 0);
    expect(grant.subtitle_tracks.length).toBeGreaterThan(0);
    await playback.call('StopPlayback', { playback_session_id: grant.playback_session_id }, { metadata });
  });

  it('fails closed while billing is down, and plays again once it is back, restarting nothing else', async () => {
    const metadata = bearer('acct-0001');
    await platform.pause('billing');
    try {
      const refused = await playback.fail('AuthorizePlayback', play('acct-0001-p2'), { metadata });
      expect(refused.code).toBe(status.UNAVAILABLE);
      expect(refused.details).toContain('billing is unavailable');
    } finally {
      await platform.resume('billing');
    }
    const grant = await playUntil('acct-0001-p2');
    await playback.call('StopPlayback', { playback_session_id: grant.playback_session_id }, { metadata });
  });

  it('restarts a crashed service by itself', async () => {
    platform.crash('steering');
    await platform.serving('steering');
    const metadata = bearer('acct-0001');
    const grant = await playUntil('acct-0001-p2', (granted) => granted.degraded_features.length === 0);
    expect(grant.cdn_urls[0]!.appliance_id).not.toBe('origin');
    await playback.call('StopPlayback', { playback_session_id: grant.playback_session_id }, { metadata });
  });

  it('carries a short open-loop load, and its report adds up', async () => {
    const addresses = Object.fromEntries(SERVICE_NAMES.map((name) => [name, platform.address(name)])) as Record<
      ServiceName,
      string
    >;
    const calls = grpcPlatformCalls(addresses);
    try {
      const options = { ...DEFAULT_LOAD, rate: 20, durationMs: 3_000, playMs: 1_500, seed: 3 };
      const viewers = await discoverViewers(calls, 40);
      expect(viewers.length).toBeGreaterThan(20);
      const recorder = await runLoad(options, {
        calls,
        viewers: new ViewerPool(viewers),
        titles: [{ titleId: 'tt00001', maturityLevel: 13 }],
        tokenOf: (account) => signAccountToken(account, LOCAL_DEVELOPMENT_SECRET),
        timers: realTimers,
      });
      const report = buildReport(options, recorder, options.durationMs);
      const failed = Object.values(report.errors).reduce((sum, count) => sum + count, 0);
      expect(report.requests).toBe(report.ok + failed);
      expect(report.actions).toBeGreaterThan(30);
      expect(report.overflow).toBe(0);
      // A healthy platform at 20 actions/s answers (nearly) everything; plays start and stop.
      expect(report.ok).toBeGreaterThanOrEqual(report.requests * 0.95);
      expect(report.sps).toBeGreaterThan(0);
      expect(report.latencyMs.StopPlayback?.count).toBe(report.latencyMs.AuthorizePlayback?.count);
    } finally {
      calls.close();
    }
  }, 60_000);

  it('npm run load ends early on Ctrl-C and still writes its report', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'streamplane-load-'));
    const reportPath = join(directory, 'load.json');
    const env = {
      PATH: process.env.PATH,
      ...Object.fromEntries(SERVICE_NAMES.map((name) => [staticAddressVariable(name), platform.address(name)])),
    };
    try {
      const child = spawn(
        process.execPath,
        [join(REPO_ROOT, 'scripts', 'dist', 'load.js'), '--rate', '10', '--duration', '60s', '--report', reportPath],
        { env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      let interrupted = false;
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        // One Ctrl-C, once the run is under way (a second one would end it at once, as it should).
        if (!interrupted && /t=\s+1s/.test(output)) {
          interrupted = true;
          child.kill('SIGINT');
        }
      });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(0);
      const report = JSON.parse(readFileSync(reportPath, 'utf8')) as {
        durationS: number;
        requests: number;
        ok: number;
      };
      expect(report.durationS).toBeLessThan(30);
      expect(report.requests).toBeGreaterThan(0);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }, 90_000);

  it('makes one play one trace, with an edge from playback-authorization to each service it asked', async () => {
    const traceId = 'cafe'.repeat(8);
    const metadata = { ...bearer('acct-0001'), traceparent: `00-${traceId}-00f067aa0ba902b7-01` };
    const grant = await playback.call<Grant>('AuthorizePlayback', play('acct-0001-p3'), { metadata });
    await playback.call(
      'StopPlayback',
      { playback_session_id: grant.playback_session_id },
      { metadata: bearer('acct-0001') },
    );
    const downstream = ['profiles', 'billing', 'catalog', 'steering', 'subtitles'];
    // Each process exports on its own schedule: wait for the callers' spans too, not only the servers'.
    const spans = await receiver.waitFor((all) => {
      const ofTrace = all.filter((span) => span.traceId === traceId);
      const servers = ofTrace.filter((span) => span.kind === 'SERVER' && downstream.includes(span.service));
      return (
        downstream.every((service) => servers.some((span) => span.service === service)) &&
        servers.every((span) => parentOf(span, ofTrace) !== undefined)
      );
    }, 'server spans of every service the play asked, and the spans that called them');
    const trace = spans.filter((span) => span.traceId === traceId);
    const serverSpans = trace.filter((span) => span.kind === 'SERVER' && downstream.includes(span.service));
    // Every service the play asked has a server span under one of playback's client spans (a service may
    // make calls of its own, such as subtitles asking catalog while its cache is cold).
    for (const service of downstream) {
      const askedByPlayback = serverSpans.some((server) => {
        const caller: ReceivedSpan | undefined = parentOf(server, trace);
        return server.service === service && caller?.service === 'playback-authorization' && caller.kind === 'CLIENT';
      });
      if (!askedByPlayback) {
        throw new Error(`${service} has no server span under a playback client span:\n${describeTrace(trace)}`);
      }
    }
  });

  describe("README's calls", () => {
    const blocks = readmeShellBlocks('Calling the services');

    it.each(blocks.map((block, index) => [index + 1, block] as const))('block %d runs as written', async (_, block) => {
      const portMap = new Map(SERVICE_NAMES.map((name) => [SERVICES[name].port, platform.address(name)]));
      const result = await runReadmeBlock(block, portMap);
      if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stderr}\n${result.stdout}`);
      expect(result.stdout.trim()).not.toBe('');
    });
  });
});
