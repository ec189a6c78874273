import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as mpdParserParse } from 'mpd-parser';
import { ManualClock, SteppedTimers } from '@streamplane/testkit';
import { abrEvalCommand } from '../abr-eval';
import type { CallOutcome, PlatformCalls } from '../load/platform-calls';
import { playCommand } from '../play';
import { CdnFailover } from '../player/cdn-failover';
import type { EdgeFetch } from '../player/edge-http';
import { ManifestError, parseIsoDuration, parseMpd, segmentUrl } from '../player/mpd';
import { DEFAULT_PLAY, parsePlayArguments } from '../player/options';
import { playTitle, PlayError, type PlayOptions, type PlayResult } from '../player/player';
import { formatTrace, traceOf } from '../player/trace';
import { generatedTraces } from '../player/trace-models';

/**
 * The player without processes: the MPD reader held to mpd-parser on the edge's manifest, the options,
 * and whole plays on a manual clock against a fake platform and fake appliances (one dies mid-play, one
 * answers 503), asserting on the report and on every call sent; then the two commands' exit codes and
 * files.
 */

const MANIFEST = readFileSync(join(__dirname, 'fixtures', 'edge-manifest.mpd'), 'utf8');
const CDN_URL = 'https://oca-1.oca.streamplane.example/titles/tt00001?expires=1900000001&sig=bbbb';

describe('MPD reader', () => {
  test('agrees with mpd-parser on the renditions, the segments and their URLs', () => {
    const ours = parseMpd(MANIFEST);
    const theirs = mpdParserParse(MANIFEST, { manifestUri: CDN_URL });
    expect(ours.durationS).toBe(theirs.duration);
    expect(ours.segmentDurationS).toBe(4);
    const playlists = [...theirs.playlists].sort((a, b) => a.attributes.BANDWIDTH - b.attributes.BANDWIDTH);
    expect(ours.renditions.map((r) => [r.id, r.bitrateKbps * 1000, r.width, r.height, r.codecs])).toEqual(
      playlists.map((p) => [
        p.attributes.NAME,
        p.attributes.BANDWIDTH,
        p.attributes.RESOLUTION?.width,
        p.attributes.RESOLUTION?.height,
        p.attributes.CODECS,
      ]),
    );
    for (const [index, playlist] of playlists.entries()) {
      const rendition = ours.renditions[index]!;
      expect(ours.segmentCount).toBe(playlist.segments.length);
      const manifestQuery = '?expires=1900000000&sig=aaaa';
      // mpd-parser keeps the manifest's own query; ours puts the streaming URL's (per appliance) in its place.
      for (const number of [1, 2, playlist.segments.length]) {
        const expected = playlist.segments[number - 1]!.resolvedUri.replace(
          manifestQuery,
          '?expires=1900000001&sig=bbbb',
        );
        expect(segmentUrl(ours, rendition, number, CDN_URL)).toBe(expected);
      }
      expect(segmentUrl(ours, rendition, 'init', CDN_URL)).toBe(
        playlist.segments[0]!.map!.resolvedUri.replace(manifestQuery, '?expires=1900000001&sig=bbbb'),
      );
    }
  });

  test('a segment URL follows the appliance streamed from, host and signature', () => {
    const manifest = parseMpd(MANIFEST);
    const other = 'https://oca-7.oca.streamplane.example/titles/tt00001?expires=5&sig=cccc';
    expect(segmentUrl(manifest, manifest.renditions[0]!, 3, other)).toBe(
      'https://oca-7.oca.streamplane.example/titles/tt00001/h264-240-235/3.m4s?expires=5&sig=cccc',
    );
  });

  test.each([
    ['not a manifest', '<html/>', 'no <MPD> element'],
    ['a live manifest', MANIFEST.replace('type="static"', 'type="dynamic"'), 'only static'],
    ['no template', MANIFEST.replace(/<SegmentTemplate[^>]*\/>/s, ''), 'no SegmentTemplate'],
    ['two periods', MANIFEST.replace('</Period>', '</Period><Period id="2"></Period>'), 'several periods'],
    ['a bad duration', MANIFEST.replace('PT1M42S', '1 minute'), 'xs:duration'],
  ])('refuses %s', (_label, xml, message) => {
    expect(() => parseMpd(xml)).toThrow(ManifestError);
    expect(() => parseMpd(xml)).toThrow(message);
  });

  test('xs:duration', () => {
    expect(parseIsoDuration('PT1H32M0S')).toBe(5520);
    expect(parseIsoDuration('PT0.5S')).toBe(0.5);
    expect(parseIsoDuration('P1DT2H')).toBe(93_600);
  });
});

describe('play options', () => {
  test('defaults: acct-0001 / acct-0001-p1, tt00001, bba on lte, 20× real time, 10 minutes of content', () => {
    expect(parsePlayArguments([])).toEqual(DEFAULT_PLAY);
    expect(DEFAULT_PLAY).toMatchObject({ abr: 'bba', trace: 'lte', speed: 20, maxDurationS: 600 });
  });

  test('every option; the profile follows the account unless named', () => {
    expect(
      parsePlayArguments([
        '--account',
        'acct-0002',
        '--title',
        'tt00004',
        '--abr',
        'bola',
        '--trace',
        'cable',
        '--speed',
        '50',
      ]),
    ).toMatchObject({
      accountId: 'acct-0002',
      profileId: 'acct-0002-p1',
      titleId: 'tt00004',
      abr: 'bola',
      trace: 'cable',
      speed: 50,
    });
    expect(
      parsePlayArguments([
        '--profile',
        'acct-0001-p2',
        '--duration',
        '2m',
        '--country',
        'JP',
        '--report',
        'p.json',
        '--html',
        'p.html',
      ]),
    ).toMatchObject({
      profileId: 'acct-0001-p2',
      maxDurationS: 120,
      country: 'JP',
      reportPath: 'p.json',
      htmlPath: 'p.html',
    });
  });

  test.each([
    [['--abr', 'mpc'], '--abr: mpc is not a rule (bba, bola, throughput, fixed)'],
    [['--trace', 'nowhere.log'], '--trace: nowhere.log is neither a generated trace'],
    [['--speed', '0'], '--speed takes a number from 1 to 1000'],
    [['--duration', '0s'], '--duration must be between 1s and 6h'],
    [['--speed'], '--speed needs a value'],
    [['--colour', 'red'], 'unknown option --colour'],
  ])('%j: exit 2 with the reason and the usage', async (args, reason) => {
    const errors = captureStderr();
    try {
      expect(await playCommand(args, {}, () => unusedPlatform(), unusedFetch)).toBe(2);
      expect(errors.text()).toContain(`npm run play: ${reason}`);
      expect(errors.text()).toContain('usage: npm run play --');
    } finally {
      errors.restore();
    }
  });
});

describe('failover', () => {
  test('the grant order, the origin last; each URL once; failovers counted', () => {
    const failover = new CdnFailover([
      { url: 'o', applianceId: 'origin', rank: 1 },
      { url: 'b', applianceId: 'b', rank: 2 },
      { url: 'a', applianceId: 'a', rank: 1 },
    ]);
    expect(failover.current?.applianceId).toBe('a');
    failover.served();
    expect(failover.failed()?.applianceId).toBe('b');
    expect(failover.failed()?.applianceId).toBe('origin');
    failover.served();
    expect(failover.failed()).toBeUndefined();
    expect(failover.failovers).toBe(2);
    expect(failover.applianceIds).toEqual(['a', 'origin']);
  });
});

/** A platform that grants plays of tt00001 from two appliances and records every call. */
class FakePlatform implements PlatformCalls {
  readonly sent: Array<{ method: string; request: object; metadata?: Record<string, string> }> = [];

  constructor(
    private readonly clock: ManualClock,
    private readonly appliances = ['oca-1', 'oca-2'],
  ) {}

  call(_service: string, method: string, request: object, metadata?: Record<string, string>): Promise<CallOutcome> {
    this.sent.push({ method, request, metadata });
    const expires_at = { seconds: Math.floor(this.clock.nowMs() / 1000) + 60 };
    if (method === 'AuthorizePlayback') {
      return Promise.resolve({
        code: 'OK',
        response: {
          playback_session_id: 'session-1',
          expires_at,
          renditions: [235, 1750, 5800].map((bitrate_kbps, i) => ({
            codec: 'h264',
            height: [240, 480, 1080][i],
            bitrate_kbps,
            hdr: false,
          })),
          cdn_urls: this.appliances.map((id, i) => ({
            url: `https://${id}.oca.streamplane.example/titles/tt00001?expires=1900000000&sig=${id}`,
            appliance_id: id,
            rank: i + 1,
          })),
        },
      });
    }
    if (method === 'Heartbeat')
      return Promise.resolve({ code: 'OK', response: { playback_session_id: 'session-1', expires_at } });
    return Promise.resolve({ code: 'OK', response: {} });
  }

  methods(): string[] {
    return this.sent.map((call) => call.method);
  }

  close(): void {}
}

/** Appliances that serve the fixture manifest and segments of bitrate × 4 s, until told otherwise. */
class FakeAppliances {
  readonly requests: string[] = [];
  /** Per appliance host label: after how many segment requests it fails, and how. */
  readonly failures = new Map<string, { after: number; how: 'dead' | 503 }>();
  private readonly served = new Map<string, number>();

  readonly fetch: EdgeFetch = async (url, options) => {
    this.requests.push(url);
    const target = new URL(url);
    const appliance = target.hostname.split('.')[0]!;
    if (target.searchParams.get('sig') !== appliance) return { status: 403, bytes: 0 };
    const isSegment = /\.m4s$/.test(target.pathname);
    const count = (this.served.get(appliance) ?? 0) + (isSegment ? 1 : 0);
    const failure = this.failures.get(appliance);
    if (failure && count > failure.after) {
      if (failure.how === 'dead') throw new Error(`connect ECONNREFUSED (${appliance})`);
      return { status: 503, bytes: 0 };
    }
    this.served.set(appliance, count);
    if (target.pathname === '/titles/tt00001')
      return { status: 200, bytes: MANIFEST.length, text: options?.keepBody ? MANIFEST : undefined };
    const kbps = Number(/-(\d+)\//.exec(target.pathname)?.[1]);
    return { status: 200, bytes: isSegment ? (kbps * 1000 * 4) / 8 : 900 };
  };
}

const PLAY: PlayOptions = {
  accountId: 'acct-0001',
  profileId: 'acct-0001-p1',
  titleId: 'tt00001',
  country: 'US',
  abr: 'throughput',
  speed: 2,
  maxDurationS: 600,
};

async function playOnManualClock(options: PlayOptions, appliances: FakeAppliances, platform?: FakePlatform) {
  const clock = new ManualClock();
  const startedMs = clock.nowMs();
  const timers = new SteppedTimers(clock);
  const calls = platform ?? new FakePlatform(clock);
  const trace = traceOf('flat-8', [0], [8]);
  const play = playTitle(options, { calls, fetch: appliances.fetch, timers, trace, secret: 'test-secret' });
  const settled = play.then(
    (result): { result?: PlayResult; error?: unknown } => ({ result }),
    (error: unknown): { result?: PlayResult; error?: unknown } => ({ error }),
  );
  let outcome: Awaited<typeof settled> | undefined;
  let endedMs = 0;
  void settled.then((value) => {
    outcome = value;
    endedMs = clock.nowMs();
  });
  // Bounded: the play's real duration at its speed is a few minutes of the manual clock.
  for (let step = 0; step < 200 && !outcome; step++) await timers.runUntil(clock.nowMs() + 10_000);
  return { ...(await settled), calls: calls as FakePlatform, realS: (endedMs - startedMs) / 1000 };
}

describe('a play against fake appliances', () => {
  test('all 26 segments of a 1:42 title, heartbeats on the grant schedule in real time, then StopPlayback', async () => {
    const appliances = new FakeAppliances();
    const { result, calls, realS } = await playOnManualClock(PLAY, appliances);
    expect(result).toBeDefined();
    const { report, heartbeats } = result!;
    expect(report).toMatchObject({
      titleId: 'tt00001',
      abr: 'throughput',
      trace: 'flat-8',
      segments: 26,
      playedS: 104,
      failovers: 0,
      applianceIds: ['oca-1'],
    });
    expect(report.rebufferS).toBe(0);
    // Heartbeats every 30 s (half of the 60 s lifetime) of real time, which is simulated time / 2 here.
    expect(heartbeats).toBe(Math.floor(realS / 30));
    expect(heartbeats).toBeGreaterThan(0);
    expect(calls.methods()).toEqual(['AuthorizePlayback', ...Array(heartbeats).fill('Heartbeat'), 'StopPlayback']);
    expect(calls.sent[0]!.metadata?.authorization).toMatch(/^Bearer /);
    // One manifest, an init segment per rendition used, and one request per segment.
    expect(appliances.requests.filter((url) => url.endsWith('.m4s?expires=1900000000&sig=oca-1')).length).toBe(26);
    expect(Object.keys(report)).toEqual([
      'titleId',
      'abr',
      'trace',
      'startupDelayS',
      'rebufferCount',
      'rebufferS',
      'rebufferRatio',
      'avgBitrateKbps',
      'switches',
      'qoe',
      'playedS',
      'segments',
      'failovers',
      'applianceIds',
    ]);
  });

  test.each(['dead', 503] as const)(
    'the serving appliance %s after 10 segments: the next URL, same session, no rebuffering',
    async (how) => {
      const appliances = new FakeAppliances();
      appliances.failures.set('oca-1', { after: 10, how });
      const { result, calls } = await playOnManualClock(PLAY, appliances);
      const { report } = result!;
      expect(report).toMatchObject({
        segments: 26,
        playedS: 104,
        failovers: 1,
        applianceIds: ['oca-1', 'oca-2'],
        rebufferS: 0,
      });
      expect(calls.methods().filter((method) => method === 'AuthorizePlayback')).toHaveLength(1);
      expect(calls.methods().at(-1)).toBe('StopPlayback');
      // Segment 11 was asked of oca-1, then of oca-2 with oca-2's own signature.
      expect(
        appliances.requests.filter((url) => /\/11\.m4s/.test(url)).map((url) => new URL(url).hostname.split('.')[0]),
      ).toEqual(['oca-1', 'oca-2']);
    },
  );

  test('every URL failing ends the play with an error, and the session is still stopped', async () => {
    const appliances = new FakeAppliances();
    appliances.failures.set('oca-1', { after: 3, how: 'dead' });
    appliances.failures.set('oca-2', { after: 0, how: 503 });
    const { error, calls } = await playOnManualClock(PLAY, appliances);
    expect(error).toBeInstanceOf(PlayError);
    expect((error as Error).message).toBe('every CDN URL of the grant failed');
    expect(calls.methods().at(-1)).toBe('StopPlayback');
  });

  test('the cap on content: --duration 20s plays 5 segments', async () => {
    const { result } = await playOnManualClock({ ...PLAY, maxDurationS: 20 }, new FakeAppliances());
    expect(result!.report).toMatchObject({ segments: 5, playedS: 20 });
  });
});

describe('abr-eval command', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'abr-eval-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('JSON per rule with meanQoe, rebufferRatio, avgBitrateKbps, switches; a directory of traces gives the same figures', () => {
    const output = captureStdout();
    try {
      expect(abrEvalCommand(['--json', join(dir, 'abr.json')])).toBe(0);
      const traces = join(dir, 'traces');
      mkdirSync(traces);
      for (const trace of generatedTraces()) writeFileSync(join(traces, `${trace.name}.log`), formatTrace(trace));
      expect(abrEvalCommand(['--traces', traces, '--json', join(dir, 'dir.json')])).toBe(0);
    } finally {
      output.restore();
    }
    const evaluation = JSON.parse(readFileSync(join(dir, 'abr.json'), 'utf8')) as Record<
      string,
      Record<string, number>
    >;
    expect(Object.keys(evaluation)).toEqual(['bba', 'bola', 'throughput', 'fixed']);
    for (const figures of Object.values(evaluation)) {
      expect(Object.keys(figures)).toEqual(['meanQoe', 'rebufferRatio', 'avgBitrateKbps', 'switches']);
      for (const value of Object.values(figures)) expect(Number.isFinite(value)).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(dir, 'dir.json'), 'utf8'))).toEqual(evaluation);
    expect(output.text()).toContain('every rule over 5 trace(s):');
    expect(output.text()).toMatch(/target \(bba and bola .*\): (met|NOT met)/);
  });

  test('a malformed trace file: exit 1 naming the file and line; bad usage: exit 2', () => {
    writeFileSync(join(dir, 'bad.log'), '0 1\n1 fast\n');
    const errors = captureStderr();
    try {
      expect(abrEvalCommand(['--traces', dir])).toBe(1);
      expect(errors.text()).toContain(`${join(dir, 'bad.log')}: line 2: time_seconds and Mbps must be numbers`);
      expect(abrEvalCommand(['--trace', dir])).toBe(2);
      expect(errors.text()).toContain('unknown option --trace\nusage: npm run abr-eval');
    } finally {
      errors.restore();
    }
  });
});

function captureStream(stream: 'error' | 'log') {
  const lines: string[] = [];
  const spy = jest.spyOn(console, stream).mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
  return { text: () => lines.join('\n'), restore: () => spy.mockRestore() };
}

const captureStderr = () => captureStream('error');
const captureStdout = () => captureStream('log');

function unusedPlatform(): PlatformCalls {
  throw new Error('a usage error must not reach the platform');
}

const unusedFetch: EdgeFetch = () => Promise.reject(new Error('a usage error must not reach the edge'));
