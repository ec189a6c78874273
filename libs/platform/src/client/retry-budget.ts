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
  private readonly requests = new Array<number>(BUCKETS).fill(0);
  private readonly retries = new Array<number>(BUCKETS).fill(0);
  private currentBucket = 0;
  private currentBucketStart: number;
  private readonly bucketMs: number;

  constructor(
    private readonly options: RetryBudgetOptions = DEFAULT_RETRY_BUDGET,
    private readonly now: () => number = Date.now,
  ) {
    this.bucketMs = options.windowMs / BUCKETS;
    this.currentBucketStart = now();
  }

  /** Records a first attempt (a request). */
  recordRequest(): void {
    this.advance();
    this.requests[this.currentBucket] += 1;
  }

  /** Takes one retry from the budget; false when the budget is spent. */
  tryAcquireRetry(): boolean {
    this.advance();
    const requests = sum(this.requests);
    const retries = sum(this.retries);
    const allowed = this.options.ratio * requests + this.options.minRetriesPerSecond * (this.options.windowMs / 1000);
    if (retries + 1 > allowed) return false;
    this.retries[this.currentBucket] += 1;
    return true;
  }

  private advance(): void {
    const elapsedBuckets = Math.floor((this.now() - this.currentBucketStart) / this.bucketMs);
    if (elapsedBuckets <= 0) return;
    for (let step = 0; step < Math.min(elapsedBuckets, BUCKETS); step++) {
      this.currentBucket = (this.currentBucket + 1) % BUCKETS;
      this.requests[this.currentBucket] = 0;
      this.retries[this.currentBucket] = 0;
    }
    this.currentBucketStart += elapsedBuckets * this.bucketMs;
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
