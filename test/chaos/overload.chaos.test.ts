import { latencies, logged, printFigures, startChaosPlatform, type ChaosPlatform, type PlayRecord } from './harness';

/**
 * Overload: the platform offered three times the plays it can carry. It must shed the excess at once
 * (RESOURCE_EXHAUSTED, with a retry pushback), keep at least 80 % of its peak goodput, refuse sheddable plays
 * before critical ones, and never open a breaker on a healthy service.
 */
jest.setTimeout(180_000);

/** Rounds of (the peak, then three times it), and each window's length and the part of it not judged. */
const OVERLOAD_ROUNDS = 4;
const WINDOW_MS = 3_000;
const SETTLE_MS = 1_000;

/** The middle of `values` (the mean of the middle two of an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return Number.isInteger(middle) ? (sorted[middle - 1]! + sorted[middle]!) / 2 : sorted[Math.floor(middle)]!;
}

/** Successful plays per second among `plays`, over the seconds [from, to). */
function goodput(plays: readonly PlayRecord[], from: number, to: number): number {
  return (
    plays.filter((play) => play.code === 'OK' && play.endedAt >= from && play.endedAt < to).length /
    ((to - from) / 1000)
  );
}

describe('chaos: overload', () => {
  let chaos: ChaosPlatform;

  beforeAll(async () => {
    chaos = await startChaosPlatform({}, 1_000);
  });

  afterAll(() => chaos?.stop());

  it('keeps ≥ 80 % of its goodput under three times its peak, shedding the excess with RESOURCE_EXHAUSTED, sheddable first, opening no breaker', async () => {
    // The peak: the most plays per second the platform answered, offered more and more (after a warm-up,
    // so that compiled code and grown limits are not what is measured) until two steps in a row no longer
    // raised it by a tenth.
    await chaos.load(100, 2_000);
    let peak = 0;
    for (let rate = 150, flat = 0; rate <= 1_200 && flat < 2; rate += 150) {
      const startedAt = Date.now();
      await chaos.load(rate, 2_500);
      const carried = goodput(chaos.calls.plays, startedAt + 800, startedAt + 2_500);
      flat = carried > 1.1 * peak ? 0 : flat + 1;
      peak = Math.max(peak, carried);
    }
    // Enough of a peak for three times it to be an overload worth the name; this machine's peak ranges
    // from about 40 to 250 plays/s with what else it runs.
    expect(peak).toBeGreaterThan(30);
    chaos.calls.plays.length = 0;
    const breakersBefore = logged(chaos.lines, 'circuit breaker opened');

    // Goodput under overload is judged against the peak measured the moment before, round by round: on two
    // cores shared with other suites, a peak measured a minute earlier says more about what else ran then
    // than about shedding. Each round offers the peak, then three times it (two thirds critical, one third
    // sheddable); the median of the rounds' ratios is what is asserted, so one round that met a busy
    // moment on one side only does not decide it.
    const rounds: Array<{ atPeak: number; underOverload: number }> = [];
    const plays: PlayRecord[] = [];
    const playsAtPeak: PlayRecord[] = [];
    for (let round = 0; round < OVERLOAD_ROUNDS; round += 1) {
      const peakFrom = Date.now();
      await chaos.load(peak, WINDOW_MS, { seed: 10 + round });
      const atPeak = goodput(chaos.calls.plays, peakFrom + SETTLE_MS, peakFrom + WINDOW_MS);
      playsAtPeak.push(...chaos.calls.plays);
      chaos.calls.plays.length = 0;
      const overloadFrom = Date.now();
      await Promise.all([
        chaos.load(2 * peak, WINDOW_MS, { seed: 20 + round }),
        chaos.load(peak, WINDOW_MS, { seed: 30 + round, metadata: { 'x-streamplane-priority': 'sheddable' } }),
      ]);
      rounds.push({
        atPeak,
        underOverload: goodput(chaos.calls.plays, overloadFrom + SETTLE_MS, overloadFrom + WINDOW_MS),
      });
      plays.push(...chaos.calls.plays);
      chaos.calls.plays.length = 0;
    }
    const ratios = rounds.map(({ atPeak, underOverload }) => underOverload / Math.max(1, atPeak));
    const keptOfPeak = median(ratios);
    // A session whose stop was refused under overload holds its account's stream until it expires, and the
    // next peak window may meet it as a stream-limit refusal: those would lower the peak a round is judged
    // against, so they are counted, and must stay few for the comparison to hold.
    const streamLimitAtPeak = playsAtPeak.filter((play) => play.details?.includes('already streaming')).length;
    const failures = plays.filter((play) => play.code !== 'OK');
    const refused = failures.filter((play) => play.code === 'RESOURCE_EXHAUSTED');
    const refusedShare = (priority: string) =>
      plays.filter((play) => play.priority === priority && play.code === 'RESOURCE_EXHAUSTED').length /
      Math.max(1, plays.filter((play) => play.priority === priority).length);
    const otherCodes: Record<string, number> = {};
    for (const play of failures)
      if (play.code !== 'RESOURCE_EXHAUSTED') otherCodes[play.code] = (otherCodes[play.code] ?? 0) + 1;
    printFigures('overload ×3', {
      'other codes': JSON.stringify(otherCodes),
      'peak plays/s (search)': peak,
      'plays/s at peak, by round': rounds.map(({ atPeak }) => Math.round(atPeak)).join(' / '),
      'plays/s under overload, by round': rounds.map(({ underOverload }) => Math.round(underOverload)).join(' / '),
      'kept of peak %, median of rounds': 100 * keptOfPeak,
      'stream-limit refusals at peak': `${streamLimitAtPeak} of ${playsAtPeak.length}`,
      'refused (RESOURCE_EXHAUSTED)': refused.length,
      'other failures': failures.length - refused.length,
      'admitted plays p99 ms': latencies(plays.filter((play) => play.code === 'OK')).p99,
      'critical refused %': 100 * refusedShare('critical'),
      'sheddable refused %': 100 * refusedShare('sheddable'),
    });
    expect(streamLimitAtPeak).toBeLessThanOrEqual(0.02 * playsAtPeak.length);
    expect(keptOfPeak).toBeGreaterThanOrEqual(0.8);
    // It was an overload: a good part of what was offered was refused. (Not "carried ≤ peak": with other suites
    // on the same two cores, the peak search can meet a busier moment than the overload does.)
    expect(refused.length).toBeGreaterThan(0.2 * plays.length);
    // The excess is refused, not failed: at most 5 % of the failures are anything else.
    expect(failures.length - refused.length).toBeLessThanOrEqual(Math.ceil(failures.length * 0.05));
    expect(refusedShare('sheddable')).toBeGreaterThan(refusedShare('critical'));
    expect(logged(chaos.lines, 'circuit breaker opened') - breakersBefore).toBe(0);
  });
});
