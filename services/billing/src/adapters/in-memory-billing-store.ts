import { systemClock, type Clock } from '@streamplane/platform/clock';
import { NotFoundError } from '@streamplane/platform/errors';
import type { ApplyResult, BillingStore } from '../application/billing-store';
import {
  IDEMPOTENCY_KEY_RETENTION_MS,
  cloneSubscription,
  idempotencyKeyConflict,
  requireDistinctAccounts,
  runMutation,
  type IdempotencyScope,
  type Subscription,
  type SubscriptionMutation,
} from '../domain';

export interface InMemoryBillingStoreOptions {
  /** Clock for key retention. Default: the system clock. */
  clock?: Clock;
  /** Default {@link IDEMPOTENCY_KEY_RETENTION_MS}. */
  keyRetentionMs?: number;
}

interface RecordedResult {
  fingerprint: string;
  /** Snapshot of the subscription right after the first call; replays return copies of it. */
  subscription: Subscription;
  recordedAtMs: number;
}

/**
 * The local default store: maps in process memory, lost on restart.
 *
 * Atomicity: `applyIdempotent` contains no `await` between the key lookup and the writes (and `mutate`
 * is synchronous), so on Node's single thread the whole check-and-apply runs without interleaving: of
 * concurrent calls with one key, the first applies and the others replay it. Keep it that way: an
 * await in the middle would need a per-account lock instead.
 */
export class InMemoryBillingStore implements BillingStore {
  private readonly subscriptions = new Map<string, Subscription>();
  /** Keyed by {@link keyOf}; insertion order is recording order, which pruning relies on. */
  private readonly results = new Map<string, RecordedResult>();
  private readonly clock: Clock;
  private readonly keyRetentionMs: number;

  constructor(options: InMemoryBillingStoreOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.keyRetentionMs = options.keyRetentionMs ?? IDEMPOTENCY_KEY_RETENTION_MS;
    if (!(this.keyRetentionMs >= 0)) throw new RangeError(`keyRetentionMs must be ≥ 0, got ${this.keyRetentionMs}`);
  }

  /** Idempotency keys currently remembered (expired ones may linger until the next mutation). */
  get idempotencyKeyCount(): number {
    return this.results.size;
  }

  async getSubscription(accountId: string): Promise<Subscription> {
    return cloneSubscription(this.require(accountId));
  }

  async applyIdempotent(
    scope: IdempotencyScope,
    requestFingerprint: string,
    mutate: SubscriptionMutation,
  ): Promise<ApplyResult> {
    // No await below this line until the return: this is the critical section (see the class comment).
    const nowMs = this.clock.now().getTime();
    this.pruneExpired(nowMs);

    const key = scope.idempotencyKey === '' ? undefined : keyOf(scope);
    if (key !== undefined) {
      const recorded = this.results.get(key);
      // Pruning stops at the first entry it keeps, so check this entry's age as well.
      if (recorded && nowMs - recorded.recordedAtMs <= this.keyRetentionMs) {
        if (recorded.fingerprint === requestFingerprint) {
          return { subscription: cloneSubscription(recorded.subscription), replayed: true };
        }
        throw idempotencyKeyConflict(scope, recorded.fingerprint, requestFingerprint);
      }
    }

    const stored = runMutation(scope, mutate, this.require(scope.accountId));
    this.subscriptions.set(scope.accountId, stored);
    if (key !== undefined) {
      // delete first: re-setting an existing (expired) key would keep its old place in the pruning order.
      this.results.delete(key);
      this.results.set(key, { fingerprint: requestFingerprint, subscription: stored, recordedAtMs: nowMs });
    }
    return { subscription: cloneSubscription(stored), replayed: false };
  }

  async seedIfEmpty(subscriptions: readonly Subscription[]): Promise<boolean> {
    if (this.subscriptions.size > 0) return false;
    requireDistinctAccounts(subscriptions);
    for (const subscription of subscriptions) {
      this.subscriptions.set(subscription.accountId, cloneSubscription(subscription));
    }
    return subscriptions.length > 0;
  }

  private require(accountId: string): Subscription {
    const subscription = this.subscriptions.get(accountId);
    if (!subscription) throw new NotFoundError('account', accountId);
    return subscription;
  }

  /**
   * Drops keys older than the retention, oldest first, stopping at the first one still kept: amortised
   * O(1) per call, no timer to clean up. A key is kept while its age is at most the retention, so it
   * lives for at least the promised 24 hours. If the clock steps back, entries recorded "in the future"
   * merely live longer, which never breaks the promise.
   */
  private pruneExpired(nowMs: number): void {
    for (const [key, recorded] of this.results) {
      if (nowMs - recorded.recordedAtMs <= this.keyRetentionMs) break;
      this.results.delete(key);
    }
  }
}

/** The scope as one map key; NUL cannot occur in a validated key or an account id we would find. */
function keyOf(scope: IdempotencyScope): string {
  return `${scope.operation}\u0000${scope.accountId}\u0000${scope.idempotencyKey}`;
}
