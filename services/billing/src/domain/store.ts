import { AlreadyExistsError, NotFoundError } from '@streamplane/platform/errors';
import { cloneSubscription } from './plan';
import type { Subscription } from './plan';

/**
 * Where subscriptions and idempotency keys live. The in-memory store below is the local default; the
 * PostgreSQL store (src/postgres-store.ts) implements the same interface and passes the same contract:
 *
 * - Every method is async and every read hands out a copy: callers never share state with the store.
 * - A mutation is ONE call, {@link BillingStore.applyIdempotent}: look up the key, read the
 *   subscription, compute the new one, write it and record the key's result, all-or-nothing. A SQL store
 *   does this in one transaction, with (operation, account_id, idempotency_key) under a unique constraint
 *   and the subscription row locked (SELECT … FOR UPDATE), so two concurrent calls with one key apply
 *   once: the loser of the race waits on the row lock, then finds the winner's recorded result and
 *   replays it; the constraint rules out a second recording whatever happens.
 * - `mutate` is a pure, synchronous function of the current subscription (the domain rules). It may
 *   throw a domain error to refuse the change. Being synchronous, it can run inside the store's critical
 *   section or transaction without holding it across foreign I/O.
 */

export type MutatingOperation = 'ChangePlan' | 'CancelSubscription';

/** Keys are scoped to the RPC and the account: the same key on another account or RPC is unrelated. */
export interface IdempotencyScope {
  operation: MutatingOperation;
  accountId: string;
  /** Already validated by the caller; '' means "no key": the mutation simply applies. */
  idempotencyKey: string;
}

/** The domain rule a mutation applies. Receives a private copy; returns the subscription to store. */
export type SubscriptionMutation = (current: Subscription) => Subscription;

export interface ApplyResult {
  /** The subscription after the change; for a replay, the result recorded by the first call. */
  subscription: Subscription;
  /** True when the key had been used for this very request, so nothing was changed now. */
  replayed: boolean;
}

export interface BillingStore {
  /** The account's subscription; NotFoundError('account', id) when the account is unknown. */
  getSubscription(accountId: string): Promise<Subscription>;

  /**
   * Applies `mutate` to the account's subscription, at most once per idempotency key:
   *
   * 1. Key in scope already recorded with the same `requestFingerprint` → the recorded result,
   *    `replayed: true`; nothing changes (even if the subscription changed since).
   * 2. Key recorded with a different fingerprint → AlreadyExistsError naming the key.
   * 3. Unknown account → NotFoundError('account', id).
   * 4. Otherwise `mutate(current)`. If it throws, the error propagates and NOTHING is recorded, not even
   *    the key: a refused request (FAILED_PRECONDITION) has changed nothing, so its key stays free and a
   *    retry, or a corrected request, may use it. Otherwise the new subscription and the key's result
   *    are stored atomically.
   *
   * With an empty key, steps 1, 2 and the recording are skipped. Keys are kept for at least
   * {@link IDEMPOTENCY_KEY_RETENTION_MS} after first use; expired keys behave as never seen.
   *
   * `requestFingerprint` identifies the request's fields beyond the scope (for ChangePlan, the plan);
   * it is opaque to the store, compared for equality and quoted in the AlreadyExists message, so it
   * should be short and readable.
   */
  applyIdempotent(
    scope: IdempotencyScope,
    requestFingerprint: string,
    mutate: SubscriptionMutation,
  ): Promise<ApplyResult>;

  /**
   * Inserts the subscriptions when the store holds none; returns whether it did. Atomic, so replicas
   * starting together against one database seed it once; a store that already has data keeps it.
   */
  seedIfEmpty(subscriptions: readonly Subscription[]): Promise<boolean>;
}

/** How long an idempotency key is remembered: the proto promises at least 24 hours. */
export const IDEMPOTENCY_KEY_RETENTION_MS = 24 * 60 * 60 * 1000;

export interface InMemoryBillingStoreOptions {
  /** Clock for key retention; tests inject one. Default: the system clock. */
  now?: () => Date;
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
  private readonly now: () => Date;
  private readonly keyRetentionMs: number;

  constructor(options: InMemoryBillingStoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
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
    const nowMs = this.now().getTime();
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

/** What every store throws when a key comes back with another request (rule 2 of applyIdempotent). */
export function idempotencyKeyConflict(
  scope: IdempotencyScope,
  firstFingerprint: string,
  fingerprint: string,
): AlreadyExistsError {
  return new AlreadyExistsError(
    `idempotency_key ${JSON.stringify(scope.idempotencyKey)} was already used for a different ` +
      `${scope.operation} request on account "${scope.accountId}" (${describe(firstFingerprint)}, ` +
      `now ${describe(fingerprint)}); use a new key for a new request`,
  );
}

/**
 * Runs `mutate` the way every store must (rule 4 of applyIdempotent): on a private copy of `current`,
 * synchronously, for the scope's account. Returns a copy the store may keep.
 */
export function runMutation(
  scope: IdempotencyScope,
  mutate: SubscriptionMutation,
  current: Subscription,
): Subscription {
  const next = mutate(cloneSubscription(current));
  if ((next as unknown) instanceof Promise) {
    throw new TypeError('applyIdempotent: mutate must be synchronous (it runs inside the critical section)');
  }
  if (next.accountId !== scope.accountId) {
    throw new Error(`applyIdempotent: mutate returned account "${next.accountId}" for "${scope.accountId}"`);
  }
  return cloneSubscription(next);
}

/** A seed names each account once; checked before a store writes anything. */
export function requireDistinctAccounts(subscriptions: readonly Subscription[]): void {
  const seen = new Set<string>();
  for (const { accountId } of subscriptions) {
    if (seen.has(accountId)) throw new Error(`seedIfEmpty: duplicate account "${accountId}"`);
    seen.add(accountId);
  }
}

function describe(fingerprint: string): string {
  return fingerprint === '' ? 'no fields' : fingerprint;
}
