import {
  duration,
  latencies,
  logged,
  pause,
  printFigures,
  recoveryMs,
  startChaosPlatform,
  type ChaosPlatform,
} from './harness';

/**
 * The platform under a bounded play load while one dependency of the play path dies, hangs or comes
 * back: every outcome is a count of plays, each bounded by a number written here.
 */
jest.setTimeout(120_000);

const RATE = 30; // plays per second, far below what the platform carries: only the fault is measured
/** Every play path call's budget is 800 ms (playback-authorization's dependencies.ts). */
const BUDGET_MS = 800;
/** A play that fails "fast": well under its dependency's deadline. */
const FAST_MS = 250;

describe('chaos: a dependency of the play path fails', () => {
  let chaos: ChaosPlatform;

  beforeAll(async () => {
    chaos = await startChaosPlatform();
  });

  afterAll(() => chaos?.stop());

  /**
   * Back: every play that starts 1 s after the dependency answers SERVING at `servingAt` succeeds, and the
   * last failure started at most 1 s after it. Answers how long after SERVING plays still failed.
   */
  async function expectBackWithinASecondOf(servingAt: number): Promise<number> {
    // A slow restart can end the test's load before the seconds after SERVING that are judged: more load then.
    const judgedUntil = servingAt + 2_500;
    if (Date.now() < judgedUntil) await chaos.load(RATE, judgedUntil - Date.now());
    const after = chaos.calls.between(servingAt + 1_000);
    expect(after.length).toBeGreaterThan(20);
    expect(after.filter((play) => play.code !== 'OK')).toEqual([]);
    const recovery = recoveryMs(chaos.calls.plays, servingAt);
    expect(recovery).toBeLessThanOrEqual(1_000);
    return recovery;
  }

  it('optional dependency killed: every play succeeds, without subtitles, and says so', async () => {
    const killedAt = Date.now();
    await chaos.platform.pause('subtitles', 'kill');
    const recorder = await chaos.load(RATE, 3_000);
    const plays = chaos.calls.between(killedAt);
    expect(plays.length).toBeGreaterThanOrEqual(60);
    expect(plays.filter((play) => play.code !== 'OK')).toEqual([]);
    expect(plays.filter((play) => play.degraded.includes('subtitles'))).toHaveLength(plays.length);
    expect(recorder.errors).toEqual({});
    printFigures('subtitles killed', { plays: plays.length, 'failed plays': 0, 'play p99 ms': latencies(plays).p99 });
    await chaos.platform.resume('subtitles');
  });

  it('required dependency killed: plays fail UNAVAILABLE, fast once the platform has reacted; back within 1 s of SERVING', async () => {
    const load = chaos.load(RATE, 9_000);
    await pause(1_500);
    const killedAt = Date.now();
    await chaos.platform.pause('billing', 'kill');
    await pause(3_000);
    const restartedAt = Date.now();
    void chaos.platform.resume('billing');
    const servingAt = await chaos.servingAgain('billing');
    await load;

    const before = chaos.calls.between(killedAt - 1_500, killedAt);
    expect(before.length).toBeGreaterThan(20);
    expect(before.filter((play) => play.code !== 'OK')).toEqual([]);
    // While billing is down: UNAVAILABLE, and after the first few, none waits anywhere near its deadline.
    const down = chaos.calls.between(killedAt + 100, restartedAt);
    expect(down.length).toBeGreaterThan(50);
    expect(down.filter((play) => play.code !== 'UNAVAILABLE')).toEqual([]);
    // A stable sentence naming the dependency, never socket or library text.
    expect(new Set(down.map((play) => play.details))).toEqual(new Set(['billing is unavailable']));
    const slow = down.slice(10).filter((play) => duration(play) >= FAST_MS);
    expect(slow).toEqual([]);
    const recovery = await expectBackWithinASecondOf(servingAt);
    const failed = latencies(down);
    printFigures('billing killed', {
      'plays/s before': before.length / 1.5,
      'failed plays': down.length,
      'failure p50 ms': failed.p50,
      'failure p99 ms': failed.p99,
      'recovery after SERVING ms': recovery,
    });
  });

  it('required dependency hung (SIGSTOP): after a bounded number of slow plays, plays fail fast; back within 1 s', async () => {
    const load = chaos.load(RATE, 8_000);
    await pause(1_500);
    const frozenAt = Date.now();
    chaos.platform.freeze('billing');
    await pause(4_000);
    const thawedAt = Date.now();
    chaos.platform.thaw('billing');
    const servingAt = await chaos.servingAgain('billing');
    await load;

    const hung = chaos.calls.between(frozenAt, thawedAt - BUDGET_MS);
    expect(hung.length).toBeGreaterThan(60);
    expect(hung.filter((play) => play.code === 'OK')).toHaveLength(0);
    // Slow failures: the calls the adaptive limit let through before the breaker opened, and its trials.
    const slow = hung.filter((play) => duration(play) >= FAST_MS);
    expect(slow.length).toBeLessThanOrEqual(30);
    // The last two seconds of the outage: nothing waits for billing any more.
    const settled = chaos.calls.between(thawedAt - 2_000, thawedAt - BUDGET_MS);
    expect(settled.filter((play) => duration(play) >= FAST_MS).length).toBeLessThanOrEqual(3);
    const recovery = await expectBackWithinASecondOf(servingAt);
    const failed = latencies(hung);
    printFigures('billing hung', {
      'failed plays': hung.length,
      'slow failures': slow.length,
      'failure p50 ms': failed.p50,
      'failure p99 ms': failed.p99,
      'recovery after SERVING ms': recovery,
    });
  });

  it('never restarted a service, nor logged an uncaught exception', () => {
    expect(logged(chaos.lines, 'uncaught exception; exiting')).toBe(0);
  });
});
