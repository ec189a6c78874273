import { SeededRandom } from '@streamplane/streaming';
import { ManualClock } from '@streamplane/testkit';
import { nextArrivalGapMs, runLoad, type LoadDependencies } from '../load/generator';
import { DEFAULT_LOAD, parseDuration, parseLoadArguments, parseMix, type LoadOptions } from '../load/options';
import type { CallOutcome, PlatformCalls } from '../load/platform-calls';
import { buildReport, renderHtml } from '../load/report';
import { ViewerPool, type Viewer } from '../load/viewers';

/**
 * The load generator against a fake platform on a manual clock: the arrival process, the mix, latency
 * from the intended start, overflow, and a report whose numbers add up — as counts and values.
 */

interface FakeCall {
  service: string;
  method: string;
  request: Record<string, unknown>;
  sentAtMs: number;
}

/** A platform that answers every call after `latencyMs(call)` of manual time, OK unless told otherwise. */
function fakePlatform(clock: ManualClock, latencyMs: (call: FakeCall, index: number) => number = () => 5) {
  const sent: FakeCall[] = [];
  const calls: PlatformCalls = {
    call(service, method, request) {
      const call = { service, method, request: request as Record<string, unknown>, sentAtMs: clock.nowMs() };
      const index = sent.push(call) - 1;
      return new Promise<CallOutcome>((resolve) =>
        clock.setTimeout(() => resolve({ code: 'OK', response: answerOf(method, index) }), latencyMs(call, index)),
      );
    },
    close: () => undefined,
  };
  return { calls, sent };
}

function answerOf(method: string, index: number): unknown {
  switch (method) {
    case 'ListTitles':
      return { titles: [{ title_id: 'tt00001', name: 'The Silent Crown' }] };
    case 'AuthorizePlayback':
      return { playback_session_id: `s-${index}`, expires_at: { seconds: 0 } };
    default:
      return {};
  }
}

const VIEWERS: Viewer[] = Array.from({ length: 50 }, (_, i) => ({
  accountId: `acct-${String(i + 1).padStart(4, '0')}`,
  profileId: `acct-${String(i + 1).padStart(4, '0')}-p1`,
  maxStreams: 2,
  maturityLevel: 18,
}));

/** Runs the load to its end on the manual clock, letting every answer arrive between steps. */
async function run(
  options: Partial<LoadOptions>,
  clock: ManualClock,
  calls: PlatformCalls,
  extra: Partial<LoadDependencies> = {},
) {
  const full: LoadOptions = { ...DEFAULT_LOAD, seed: 7, ...options };
  const deps: LoadDependencies = {
    calls,
    viewers: new ViewerPool(VIEWERS),
    titles: [{ titleId: 'tt00001', maturityLevel: 13 }],
    tokenOf: (account) => `token-of-${account}`,
    timers: clock,
    ...extra,
  };
  const finished = runLoad(full, deps);
  let done = false;
  void finished.then(() => (done = true));
  for (let steps = 0; !done && steps < 100_000; steps++) {
    clock.advance(10);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { recorder: await finished, options: full, viewers: deps.viewers };
}

/**
 * A platform that grants every play a session of `sessionMs` and refuses every stop: each session stays
 * open until it expires, holding its account's stream. Records when each grant was made.
 */
function refusingEveryStop(clock: ManualClock, sessionMs: number): { calls: PlatformCalls; grantsAt: number[] } {
  const grantsAt: number[] = [];
  const calls: PlatformCalls = {
    call: async (_service, method) => {
      if (method === 'AuthorizePlayback') {
        grantsAt.push(clock.nowMs());
        const expires = { seconds: (clock.nowMs() + sessionMs) / 1000 };
        return { code: 'OK', response: { playback_session_id: `s-${grantsAt.length}`, expires_at: expires } };
      }
      if (method === 'StopPlayback') return { code: 'RESOURCE_EXHAUSTED', response: undefined };
      return { code: 'OK', response: {} };
    },
    close: () => undefined,
  };
  return { calls, grantsAt };
}

describe('arrival process', () => {
  test('inter-arrival times of a seeded run follow the exponential law of the rate', () => {
    const random = new SeededRandom(42);
    const rate = 50;
    const gaps = Array.from({ length: 20_000 }, () => nextArrivalGapMs(rate, random.float()));
    const mean = gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length;
    const variance = gaps.reduce((sum, gap) => sum + (gap - mean) ** 2, 0) / gaps.length;
    // Exponential with rate λ: mean 1/λ (20 ms), variance 1/λ² (400 ms²).
    expect(mean).toBeGreaterThan(20 * 0.97);
    expect(mean).toBeLessThan(20 * 1.03);
    expect(variance).toBeGreaterThan(400 * 0.9);
    expect(variance).toBeLessThan(400 * 1.1);
    // Memoryless: about e^-1 of the gaps are longer than the mean.
    const longer = gaps.filter((gap) => gap > 20).length / gaps.length;
    expect(longer).toBeGreaterThan(0.35);
    expect(longer).toBeLessThan(0.39);
  });

  test('a run offers the rate it was asked for, whatever the platform does', async () => {
    const clock = new ManualClock();
    const { calls } = fakePlatform(clock, () => 400); // a slow platform
    const { recorder } = await run({ rate: 40, durationMs: 10_000, mix: [['home', 1]] }, clock, calls);
    // 400 arrivals expected; a Poisson count has standard deviation 20: ±3σ.
    expect(recorder.actions + recorder.overflow).toBeGreaterThan(340);
    expect(recorder.actions + recorder.overflow).toBeLessThan(460);
  });
});

describe('viewer mix', () => {
  test('actions are drawn in proportion to their weights', async () => {
    const clock = new ManualClock();
    const { calls, sent } = fakePlatform(clock);
    await run({ rate: 100, durationMs: 20_000, mix: parseMix('home=3,browse=1,play=0') }, clock, calls);
    const home = sent.filter((call) => call.method === 'GetHomeRows').length;
    const browse = sent.filter((call) => call.method === 'ListTitles').length;
    expect(sent.filter((call) => call.method === 'AuthorizePlayback')).toHaveLength(0);
    expect(home / (home + browse)).toBeGreaterThan(0.71);
    expect(home / (home + browse)).toBeLessThan(0.79);
  });

  test('a play authorizes, heartbeats on the session schedule, stops, and never exceeds a stream limit', async () => {
    const clock = new ManualClock();
    const { calls, sent } = fakePlatform(clock);
    const { viewers } = await run({ rate: 5, durationMs: 30_000, mix: [['play', 1]], playMs: 10_000 }, clock, calls);
    const grants = sent.filter((call) => call.method === 'AuthorizePlayback').length;
    const stops = sent.filter((call) => call.method === 'StopPlayback').length;
    expect(grants).toBeGreaterThan(100);
    expect(stops).toBe(grants);
    expect(sent.filter((call) => call.method === 'Heartbeat').length).toBeGreaterThanOrEqual(grants);
    expect(viewers.leased).toBe(0);
  });

  test('a session that was not stopped keeps its viewer out of the pool until it expires', async () => {
    const clock = new ManualClock();
    const SESSION_MS = 8_000;
    const { calls, grantsAt } = refusingEveryStop(clock, SESSION_MS);
    const oneStream = new ViewerPool([{ ...VIEWERS[0]!, maxStreams: 1 }]);
    await run({ rate: 20, durationMs: 30_000, mix: [['play', 1]], playMs: 1_000 }, clock, calls, {
      viewers: oneStream,
    });
    expect(grantsAt.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < grantsAt.length; i++)
      expect(grantsAt[i]! - grantsAt[i - 1]!).toBeGreaterThanOrEqual(SESSION_MS);
  });

  test('a session the run could not stop still holds its viewer in the next run, until it expires', async () => {
    const clock = new ManualClock();
    const SESSION_MS = 20_000;
    const { calls, grantsAt } = refusingEveryStop(clock, SESSION_MS);
    const oneStream = new ViewerPool([{ ...VIEWERS[0]!, maxStreams: 1 }]);
    const options = { rate: 20, durationMs: 2_000, mix: [['play', 1]] as LoadOptions['mix'], playMs: 1_000 };
    await run(options, clock, calls, { viewers: oneStream });
    expect(grantsAt).toHaveLength(1);
    // Two more short runs, one straight after the other: the one stream is still open on the server.
    await run(options, clock, calls, { viewers: oneStream });
    expect(grantsAt).toHaveLength(1);
    clock.advance(SESSION_MS);
    await run(options, clock, calls, { viewers: oneStream });
    expect(grantsAt).toHaveLength(2);
    expect(grantsAt[1]! - grantsAt[0]!).toBeGreaterThanOrEqual(SESSION_MS);
  });
});

describe('latency from the intended start', () => {
  test('a platform that stalls for N requests shows the stall in every one of them', async () => {
    const clock = new ManualClock();
    const stalled = 20;
    const { calls } = fakePlatform(clock, (_call, index) => (index < stalled ? 1_000 : 5));
    const { recorder } = await run({ rate: 50, durationMs: 5_000, mix: [['home', 1]] }, clock, calls);
    const latency = recorder.latency().GetHomeRows!;
    expect(latency.count).toBe(recorder.requests);
    // Each of the first 20 requests took a second: the slowest 20 of them all show it.
    expect(latency.max).toBeGreaterThanOrEqual(1_000);
    const slow = recorder.perSecond().reduce((sum, second) => sum + (second.p99 >= 1_000 ? 1 : 0), 0);
    expect(slow).toBeGreaterThanOrEqual(1);
  });

  test('a generator that falls behind records the delay as latency, not as fewer samples', async () => {
    const clock = new ManualClock();
    const { calls } = fakePlatform(clock, () => 5);
    // The event loop is blocked for the first 500 ms: every timer due meanwhile fires late, at 500 ms.
    const blockedUntil = clock.nowMs() + 500;
    const late = {
      nowMs: () => clock.nowMs(),
      setTimeout: (callback: () => void, ms: number) =>
        clock.setTimeout(callback, Math.max(ms, blockedUntil - clock.nowMs())),
      clearTimeout: (handle: unknown) => clock.clearTimeout(handle),
    };
    const { recorder } = await run({ rate: 100, durationMs: 2_000, mix: [['home', 1]] }, clock, calls, {
      timers: late,
    });
    const latency = recorder.latency().GetHomeRows!;
    // Arrivals meant for the first half second (about 50) all started at 500 ms: one waited ~500 ms.
    expect(latency.max).toBeGreaterThanOrEqual(450);
    expect(recorder.actions).toBeGreaterThan(150);
  });
});

describe('overflow and the report', () => {
  test('arrivals beyond --max-in-flight are counted as overflow, and the report adds up', async () => {
    const clock = new ManualClock();
    const { calls } = fakePlatform(clock, () => 2_000);
    const { recorder, options } = await run(
      { rate: 50, durationMs: 4_000, mix: [['home', 1]], maxInFlight: 10 },
      clock,
      calls,
    );
    expect(recorder.overflow).toBeGreaterThan(100);
    expect(recorder.actions).toBeLessThanOrEqual(10 * 3); // at most 10 at a time, each 2 s, over 4 s (+ drain)
    const report = buildReport(options, recorder, options.durationMs);
    expect(Object.keys(report).sort()).toEqual(
      [
        'actions',
        'durationS',
        'errors',
        'latencyMs',
        'offeredRate',
        'ok',
        'overflow',
        'perSecond',
        'requests',
        'sps',
      ].sort(),
    );
    expect(report.requests).toBe(report.ok + Object.values(report.errors).reduce((sum, n) => sum + n, 0));
    expect(report.perSecond.reduce((sum, second) => sum + second.offered, 0)).toBe(report.actions + report.overflow);
    for (const second of report.perSecond) {
      expect(Object.keys(second).sort()).toEqual(['achieved', 'errors', 'offered', 'p50', 'p99', 'sps', 't']);
    }
    expect(renderHtml(report)).toMatch(/^<!doctype html>[\s\S]*<svg[\s\S]*<\/html>\n$/);
  });

  test('errors are counted by code name and SPS counts only granted plays', async () => {
    const clock = new ManualClock();
    const { calls } = fakePlatform(clock);
    const failing: PlatformCalls = {
      call: (service, method, request, metadata) =>
        method === 'AuthorizePlayback' // every play is refused
          ? Promise.resolve({ code: 'RESOURCE_EXHAUSTED' })
          : calls.call(service, method, request, metadata),
      close: () => undefined,
    };
    const { recorder, options } = await run(
      {
        rate: 10,
        durationMs: 5_000,
        mix: [
          ['play', 1],
          ['home', 1],
        ],
      },
      clock,
      failing,
    );
    const report = buildReport(options, recorder, options.durationMs);
    expect(report.errors.RESOURCE_EXHAUSTED).toBeGreaterThan(5);
    expect(report.sps).toBe(0);
    expect(report.requests).toBe(report.ok + report.errors.RESOURCE_EXHAUSTED!);
  });
});

describe('options', () => {
  test('are parsed with their documented names and defaults, and refused with a reason', () => {
    expect(parseLoadArguments([])).toMatchObject({ rate: 20, durationMs: 30_000, maxInFlight: 500 });
    expect(
      parseLoadArguments(['--rate', '50', '--duration', '20s', '--mix', 'home=1,play=2', '--seed', '9']),
    ).toMatchObject({
      rate: 50,
      durationMs: 20_000,
      mix: [
        ['home', 1],
        ['play', 2],
      ],
      seed: 9,
    });
    expect(parseDuration('2m', '--duration')).toBe(120_000);
    expect(parseDuration('500ms', '--duration')).toBe(500);
    expect(() => parseLoadArguments(['--rate', 'fast'])).toThrow('--rate takes a number from 0.1 to 10000 (got fast)');
    expect(() => parseLoadArguments(['--mix', 'watch=1'])).toThrow(
      '--mix: watch is not an action (home, browse, play)',
    );
    expect(() => parseLoadArguments(['--duration', '3h'])).toThrow('--duration must be between 1ms and 1h');
    expect(() => parseLoadArguments(['--max-in-flight', '0'])).toThrow(/--max-in-flight takes a whole number/);
  });
});
