import { EDGE, SERVICES, type ServiceName } from '@streamplane/contracts';
import { staticAddressVariable } from '@streamplane/platform';
import { ORIGIN_APPLIANCE_ID } from '@streamplane/streaming';
import { startServiceProcess, type ServiceProcess } from '@streamplane/testkit';
import {
  DEFAULT_PLAY,
  generatedTrace,
  grpcPlatformCalls,
  httpEdgeFetch,
  Platform,
  playTitle,
  realTimers,
  type PlatformCalls,
  type PlayerDependencies,
  type PlayOptions,
  type PlayResult,
} from '@streamplane/tools';

/**
 * The data plane with real processes: the platform and its edge supervised as `npm start` runs them (on
 * free ports, as the chaos harness starts them), and the player's programmatic entry (what `npm run play`
 * runs) streaming real bytes. The failover test adds two edges of its own, each hosting part of the fleet. Sessions last 4 s, so heartbeats come every 2 s of real time and
 * a short play sends several. Assertions are on counts and simulated seconds, never on wall-clock time.
 */

const SESSION_TTL_SECONDS = 4;
/** 120 s of content at 20× real time: a play takes about six real seconds. */
const PLAY: PlayOptions = { ...DEFAULT_PLAY, abr: 'bba', speed: 20, maxDurationS: 120 };
const SEGMENT_S = 4;

/** The appliance id in a signed URL's host name (`<appliance_id>.oca.streamplane.example`). */
const applianceOf = (hostName: string) => hostName.split('.')[0]!;

describe('streaming a title from real edge processes', () => {
  let platform: Platform;
  let calls: PlatformCalls;
  const edges: ServiceProcess[] = [];

  /** The platform's edge, which hosts every appliance and the origin. */
  const platformEdge = () => httpEdgeFetch(() => platform.address(EDGE.name));

  const startEdge = async (applianceIds: string) => {
    const edge = await startServiceProcess('edge', {
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      EDGE_APPLIANCE_IDS: applianceIds,
      [staticAddressVariable('catalog')]: platform.address('catalog'),
      [staticAddressVariable('steering')]: platform.address('steering'),
    });
    edges.push(edge);
    return edge;
  };

  const play = (deps: Partial<PlayerDependencies> & Pick<PlayerDependencies, 'fetch'>): Promise<PlayResult> =>
    playTitle(PLAY, { calls, timers: realTimers, trace: generatedTrace('cable'), ...deps });

  beforeAll(async () => {
    platform = await Platform.start({
      ports: 'free',
      withEdge: true,
      env: { LOG_LEVEL: 'warn', PLAYBACK_SESSION_TTL_SECONDS: String(SESSION_TTL_SECONDS) },
    });
    calls = grpcPlatformCalls(
      Object.fromEntries(
        (Object.keys(SERVICES) as ServiceName[]).map((name) => [name, platform.address(name)]),
      ) as Record<ServiceName, string>,
    );
  }, 120_000);

  afterEach(async () => {
    await Promise.all(edges.splice(0).map((edge) => edge.stop('SIGKILL')));
  });

  afterAll(async () => {
    calls?.close();
    await platform?.stop();
  }, 60_000);

  test('a play adds up: start-up + played + rebuffered = the simulated wall time, 4 s a segment', async () => {
    const { report, outcome, heartbeats } = await play({ fetch: platformEdge() });
    expect(report.segments).toBe(PLAY.maxDurationS / SEGMENT_S);
    expect(Math.abs(report.segments * SEGMENT_S - report.playedS)).toBeLessThanOrEqual(SEGMENT_S);
    // The report's figures are rounded to the millisecond.
    expect(report.startupDelayS + report.playedS + report.rebufferS).toBeCloseTo(outcome.wallS, 2);
    expect(report.applianceIds.length).toBeGreaterThan(0);
    expect(report.failovers).toBe(0);
    for (const figure of [report.qoe, report.avgBitrateKbps, report.rebufferRatio, report.startupDelayS]) {
      expect(Number.isFinite(figure)).toBe(true);
    }
    expect(report.avgBitrateKbps).toBeGreaterThan(0);
    expect(heartbeats).toBeGreaterThan(0);
  }, 60_000);

  test('the serving edge killed with ≥ 10 s buffered: the next URL serves, no rebuffering', async () => {
    const ranked = await calls.call('steering', 'SteerPlayback', {
      title_id: PLAY.titleId,
      client: { country: PLAY.country, asn: 0 },
    });
    expect(ranked.code).toBe('OK');
    const candidates = (ranked.response as { candidates: Array<{ appliance_id: string }> }).candidates.map(
      (candidate) => candidate.appliance_id,
    );
    const [first, ...rest] = candidates.filter((id) => id !== ORIGIN_APPLIANCE_ID);
    expect(first).toBeDefined();
    expect(rest.length).toBeGreaterThan(0);
    // The origin is hosted by every edge; the first-ranked appliance only by the one killed.
    const serving = await startEdge(first!);
    const spare = await startEdge(rest.join(','));
    let bufferedAtKillS: number | undefined;
    const { report } = await play({
      fetch: httpEdgeFetch((hostName) => (applianceOf(hostName) === first ? serving.address : spare.address)),
      onSegment: async ({ bufferS, applianceId }) => {
        if (bufferedAtKillS === undefined && applianceId === first && bufferS >= 10) {
          bufferedAtKillS = bufferS;
          await serving.stop('SIGKILL');
        }
      },
    });
    expect(bufferedAtKillS).toBeGreaterThanOrEqual(10);
    expect(report.failovers).toBeGreaterThanOrEqual(1);
    expect(report.applianceIds[0]).toBe(first);
    expect(rest).toContain(report.applianceIds[1]);
    expect(report.rebufferCount).toBe(0);
    expect(report.rebufferS).toBe(0);
    expect(report.segments).toBe(PLAY.maxDurationS / SEGMENT_S);
  }, 60_000);

  test('EvacuateRegion mid-play does not stop the session: heartbeats keep succeeding, the play completes', async () => {
    const lines: string[] = [];
    let evacuated: { code: string; heartbeatsBefore: number } | undefined;
    let heartbeatsSeen = 0;
    const countingCalls: PlatformCalls = {
      call: async (service, method, request, metadata) => {
        const outcome = await calls.call(service, method, request, metadata);
        if (method === 'Heartbeat' && outcome.code === 'OK') heartbeatsSeen++;
        return outcome;
      },
      close: () => undefined,
    };
    try {
      const { report, heartbeats } = await playTitle(PLAY, {
        calls: countingCalls,
        timers: realTimers,
        trace: generatedTrace('cable'),
        fetch: platformEdge(),
        log: (line) => lines.push(line),
        onSegment: async ({ nowS }) => {
          if (evacuated || nowS < PLAY.maxDurationS / 2) return;
          const answer = await calls.call('steering', 'EvacuateRegion', { region: 'us-east' });
          evacuated = { code: answer.code, heartbeatsBefore: heartbeatsSeen };
        },
      });
      expect(evacuated?.code).toBe('OK');
      expect(report.segments).toBe(PLAY.maxDurationS / SEGMENT_S);
      expect(heartbeats).toBe(heartbeatsSeen);
      expect(heartbeats).toBeGreaterThan(evacuated!.heartbeatsBefore);
      expect(lines.filter((line) => line.startsWith('Heartbeat answered'))).toEqual([]);
      expect(lines.at(-1)).toBe('StopPlayback: OK');
    } finally {
      await calls.call('steering', 'RestoreRegion', { region: 'us-east' });
    }
  }, 60_000);
});
