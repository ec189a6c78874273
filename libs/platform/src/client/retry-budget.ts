import { RollingCounts } from '../limits/rolling-counts';

/**
 * A retry budget per target (Finagle's RetryBudget, Envoy's retry_budget): over a sliding window, retries
 * may be at most `ratio` of requests plus a floor of `minRetriesPerSecond`. When a dependency fails
 * hard, callers then add at most ~20 % load instead of tripling it with three attempts each.
 */
export interface RetryBudgetOptions {
  ratio: number;
  minRetriesPerSecond: number;
  windowMs: number;
}

export const DEFAULT_RETRY_BUDGET: RetryBudgetOptions = { ratio: 0.2, minRetriesPerSecond: 10, windowMs: 10_000 };

const BUCKETS = 10;

export class RetryBudget {
  private readonly counts: RollingCounts<'requests' | 'retries'>;

  constructor(
    private readonly options: RetryBudgetOptions = DEFAULT_RETRY_BUDGET,
    now: () => number = Date.now,
  ) {
    this.counts = new RollingCounts(['requests', 'retries'], options.windowMs, BUCKETS, now);
  }

  /** Records a first attempt (a request). */
  recordRequest(): void {
    this.counts.add('requests');
  }

  /** Takes one retry from the budget; false when the budget is spent. */
  tryAcquireRetry(): boolean {
    const allowed =
      this.options.ratio * this.counts.total('requests') +
      this.options.minRetriesPerSecond * (this.options.windowMs / 1000);
    if (this.counts.total('retries') + 1 > allowed) return false;
    this.counts.add('retries');
    return true;
  }
}
