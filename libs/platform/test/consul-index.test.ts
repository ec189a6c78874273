import { nextIndex } from '../src/discovery/consul-watcher';
import { fullJitterBackoff } from '../src/client/backoff';
import { RetryBudget } from '../src/client/retry-budget';

describe("Consul's blocking-query index rules", () => {
  it('follows the index forwards', () => {
    expect(nextIndex(0, 42)).toBe(42);
    expect(nextIndex(42, 57)).toBe(57);
    expect(nextIndex(57, 57)).toBe(57);
  });

  it('starts over when the index goes backwards', () => {
    expect(nextIndex(57, 3)).toBe(0);
  });

  it('never uses an index below 1, nor a missing one', () => {
    expect(nextIndex(10, 0)).toBe(1);
    expect(nextIndex(10, Number.NaN)).toBe(1);
    expect(nextIndex(10, -4)).toBe(1);
  });
});

describe('full-jitter backoff', () => {
  const options = { baseMs: 40, capMs: 1000 };

  it('draws from [0, min(cap, base·2ⁿ))', () => {
    expect(fullJitterBackoff(0, options, () => 0.999)).toBe(39);
    expect(fullJitterBackoff(2, options, () => 0.5)).toBe(80);
    expect(fullJitterBackoff(10, options, () => 0.999)).toBe(999);
    expect(fullJitterBackoff(3, options, () => 0)).toBe(0);
  });
});

describe('retry budget', () => {
  it('allows ratio × requests + a per-second floor within the window, then refills as it slides', () => {
    let now = 0;
    const budget = new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 1, windowMs: 10_000 }, () => now);
    for (let i = 0; i < 50; i++) budget.recordRequest();
    let granted = 0;
    while (budget.tryAcquireRetry()) granted += 1;
    expect(granted).toBe(0.2 * 50 + 10);

    now += 11_000; // the whole window has slid by: old requests and retries are forgotten
    expect(budget.tryAcquireRetry()).toBe(true);
  });
});
