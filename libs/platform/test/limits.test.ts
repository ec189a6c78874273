import { AdaptiveThrottle } from '../src/limits/adaptive-throttle';
import { priorityOf, PRIORITY_METADATA_KEY } from '../src/limits/call-priority';
import { ConcurrencyLimiter, type AdaptiveLimit } from '../src/limits/concurrency-limiter';
import { Gradient2Limit } from '../src/limits/gradient2-limit';
import { Metadata } from '@grpc/grpc-js';

describe('Gradient2Limit', () => {
  it('grows while calls use the limit and latency holds, up to its maximum', () => {
    const limit = new Gradient2Limit({ initialLimit: 20, maxLimit: 60 });
    for (let i = 0; i < 500; i++) limit.onSample(10, limit.current);
    expect(limit.current).toBe(60);
  });

  it('does not grow while calls leave most of the limit unused', () => {
    const limit = new Gradient2Limit({ initialLimit: 20 });
    for (let i = 0; i < 500; i++) limit.onSample(10, 3);
    expect(limit.current).toBe(20);
  });

  it('shrinks when latency climbs above the tolerated ratio, never under its minimum', () => {
    const limit = new Gradient2Limit({ initialLimit: 100, minLimit: 10, tolerance: 2 });
    for (let i = 0; i < 100; i++) limit.onSample(10, limit.current);
    const before = limit.current;
    for (let i = 0; i < 20; i++) limit.onSample(200, limit.current);
    expect(limit.current).toBeLessThan(before);
    // Queueing that keeps getting worse: every call slower than the long-term average by far.
    for (let i = 0; i < 300; i++) limit.onSample(200 * 1.05 ** i, limit.current);
    expect(limit.current).toBe(10);
  });

  it('does not shrink for latency within the acceptable, however far above the average', () => {
    const limit = new Gradient2Limit({ initialLimit: 100, minLimit: 10, maxLimit: 150, acceptableRttMs: 100 });
    for (let i = 0; i < 100; i++) limit.onSample(10, limit.current);
    expect(limit.current).toBe(150);
    // Ten times the long-term average, yet answered within the acceptable: busier, not congested.
    for (let i = 0; i < 100; i++) limit.onSample(99, limit.current);
    expect(limit.current).toBe(150);
    // Past it, Gradient2 as before.
    for (let i = 0; i < 20; i++) limit.onSample(300, limit.current);
    expect(limit.current).toBeLessThan(100);
  });

  it('moves at most half a step per sample: one slow outlier cannot empty it', () => {
    const limit = new Gradient2Limit({ initialLimit: 100, smoothing: 0.2 });
    for (let i = 0; i < 50; i++) limit.onSample(10, limit.current);
    const before = limit.current;
    limit.onSample(100_000, limit.current);
    // gradient ≥ 0.5, smoothing 0.2: at most a tenth lost, plus the queue allowance kept.
    expect(limit.current).toBeGreaterThanOrEqual(Math.floor(before * 0.9));
  });

  it('backs off by a tenth for each call that ran out of time, down to its minimum', () => {
    const limit = new Gradient2Limit({ initialLimit: 100, minLimit: 20 });
    limit.onDrop();
    expect(limit.current).toBe(90);
    for (let i = 0; i < 50; i++) limit.onDrop();
    expect(limit.current).toBe(20);
  });

  it('grows back after an overload once latency is normal again', () => {
    const limit = new Gradient2Limit({ initialLimit: 50, minLimit: 10, maxLimit: 200 });
    for (let i = 0; i < 50; i++) limit.onSample(10, limit.current);
    for (let i = 0; i < 200; i++) limit.onSample(10 * 1.05 ** i, limit.current);
    const during = limit.current;
    expect(during).toBe(10);
    for (let i = 0; i < 2_000; i++) limit.onSample(10, limit.current);
    expect(limit.current).toBeGreaterThan(during * 4);
  });
});

/** A limit fixed at `current`, recording its samples. */
function fixedLimit(current: number): AdaptiveLimit & { samples: Array<[number, number]> } {
  const samples: Array<[number, number]> = [];
  return {
    current,
    typicalRttMs: 12,
    samples,
    onSample: (rtt, inFlight) => samples.push([rtt, inFlight]),
    onDrop: () => samples.push([-1, -1]),
  };
}

describe('ConcurrencyLimiter', () => {
  it('admits critical calls up to the limit and refuses the next one at once, counted', () => {
    const limiter = new ConcurrencyLimiter(fixedLimit(4));
    const admitted = Array.from({ length: 4 }, () => limiter.tryAcquire('critical'));
    expect(admitted.every(Boolean)).toBe(true);
    expect(limiter.tryAcquire('critical')).toBeUndefined();
    expect(limiter.refused('critical')).toBe(1);
    admitted[0]!.completed(5);
    expect(limiter.tryAcquire('critical')).toBeDefined();
  });

  it('keeps part of the limit for critical calls: sheddable ones are refused first', () => {
    const limiter = new ConcurrencyLimiter(fixedLimit(10), { sheddableShare: 0.5 });
    for (let i = 0; i < 5; i++) expect(limiter.tryAcquire('sheddable')).toBeDefined();
    expect(limiter.tryAcquire('sheddable')).toBeUndefined();
    for (let i = 0; i < 5; i++) expect(limiter.tryAcquire('critical')).toBeDefined();
    expect(limiter.tryAcquire('critical')).toBeUndefined();
    expect([limiter.refused('sheddable'), limiter.refused('critical')]).toEqual([1, 1]);
    expect(limiter.inFlight).toBe(10);
  });

  it('feeds completed calls to the limit as samples, with the in-flight count at their start', () => {
    const limit = fixedLimit(10);
    const limiter = new ConcurrencyLimiter(limit);
    const first = limiter.tryAcquire('critical')!;
    const second = limiter.tryAcquire('critical')!;
    second.completed(30);
    first.ignored();
    first.completed(99); // a second ending of the same call changes nothing
    expect(limit.samples).toEqual([[30, 2]]);
    expect(limiter.inFlight).toBe(0);
  });

  it('takes a failure as a sample only when it took at least a typical call’s time', () => {
    const limit = fixedLimit(10);
    const limiter = new ConcurrencyLimiter(limit);
    limiter.tryAcquire('critical')!.failed(1);
    limiter.tryAcquire('critical')!.failed(500);
    limiter.tryAcquire('critical')!.dropped();
    expect(limit.samples).toEqual([
      [500, 1],
      [-1, -1],
    ]);
  });

  it('takes a call slower than slowCallMs as a drop', () => {
    const limit = fixedLimit(10);
    const limiter = new ConcurrencyLimiter(limit, { slowCallMs: 200 });
    limiter.tryAcquire('critical')!.completed(50);
    limiter.tryAcquire('critical')!.completed(250);
    expect(limit.samples).toEqual([
      [50, 1],
      [-1, -1],
    ]);
  });

  it('suggests a retry after about one typical call, within bounds', () => {
    expect(new ConcurrencyLimiter(fixedLimit(1)).retryAfterMs).toBe(20);
    const slow = { ...fixedLimit(1), typicalRttMs: 5_000 };
    expect(new ConcurrencyLimiter(slow).retryAfterMs).toBe(1_000);
  });
});

describe('AdaptiveThrottle (SRE book, K = 2)', () => {
  const clock = () => {
    let now = 0;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('rejects nothing while the backend accepts what it is sent', () => {
    const time = clock();
    const throttle = new AdaptiveThrottle({}, time.now, () => 0);
    for (let i = 0; i < 1_000; i++) {
      expect(throttle.rejectsNext()).toBe(false);
      throttle.answered(true);
    }
    expect(throttle.rejectionProbability).toBe(0);
  });

  it('rejects with probability (requests − 2·accepts) / (requests + 1) when the backend refuses', () => {
    const time = clock();
    const throttle = new AdaptiveThrottle({}, time.now, () => 1);
    for (let i = 0; i < 100; i++) throttle.answered(i % 4 === 0);
    expect(throttle.rejectionProbability).toBeCloseTo((100 - 2 * 25) / 101, 10);
  });

  it('absorbs most of the excess locally while the backend refuses everything', () => {
    const time = clock();
    let seed = 7;
    const random = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
    const throttle = new AdaptiveThrottle({}, time.now, random);
    let sent = 0;
    for (let i = 0; i < 1_000; i++) {
      if (throttle.rejectsNext()) continue;
      throttle.answered(false);
      sent += 1;
    }
    // A handful get through to show the backend is still refusing; the rest never leave.
    expect(sent).toBeLessThan(50);
  });

  it('forgets after its window: a recovered backend is sent everything again', () => {
    const time = clock();
    const throttle = new AdaptiveThrottle({ windowMs: 10_000, buckets: 10 }, time.now, () => 0.5);
    for (let i = 0; i < 100; i++) throttle.answered(false);
    expect(throttle.rejectionProbability).toBeGreaterThan(0.9);
    time.advance(10_000);
    expect(throttle.rejectionProbability).toBe(0);
  });
});

describe('call priority metadata', () => {
  const withPriority = (value?: string) => {
    const metadata = new Metadata();
    if (value !== undefined) metadata.set(PRIORITY_METADATA_KEY, value);
    return metadata;
  };

  it('is critical by default, and what the call asks for otherwise', () => {
    expect(priorityOf(withPriority())).toBe('critical');
    expect(priorityOf(withPriority('sheddable'))).toBe('sheddable');
    expect(priorityOf(withPriority('critical'))).toBe('critical');
  });

  it('cannot raise a sheddable method to critical', () => {
    expect(priorityOf(withPriority('critical'), 'sheddable')).toBe('sheddable');
    expect(priorityOf(withPriority(), 'sheddable')).toBe('sheddable');
  });

  it('refuses an unknown priority naming the header', () => {
    expect(() => priorityOf(withPriority('urgent'))).toThrow(
      /^x-streamplane-priority: expected one of critical, sheddable/,
    );
  });
});
