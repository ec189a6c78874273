import type { IdempotencyScope, Subscription, SubscriptionMutation } from '../domain';

/**
 * Where subscriptions and idempotency keys live: the port billing's use cases run over. The in-memory
 * store (adapters/in-memory-billing-store.ts) is the local default; the PostgreSQL store
 * (adapters/postgres-billing-store.ts) implements the same interface and passes the same contract:
 *
 * - Every method is async and every read hands out a copy: callers never share state with the store.
 * - A mutation is ONE call, {@link BillingStore.applyIdempotent}: look up the key, read the
 *   subscription, compute the new one, write it and record the key's result, all-or-nothing. A SQL store
 *   does this in one transaction, with (operation, account_id, idempotency_key) under a unique constraint
 *   and the subscription row locked (SELECT … FOR UPDATE), so two concurrent calls with one key apply
 *   once: the loser of the race waits on the row lock, then finds the winner's recorded result and
 *   replays it; the constraint rules out a second recording whatever happens.
 * - `mutate` is a pure, synchronous function of the current subscription (the domain rules); see
 *   SubscriptionMutation and runMutation, which every store runs it through.
 */
export interface BillingStore {
  /** The account's subscription; NotFoundError('account', id) when the account is unknown. */
  getSubscription(accountId: string): Promise<Subscription>;

  /**
   * Applies `mutate` to the account's subscription, at most once per idempotency key:
   *
   * 1. Key in scope already recorded with the same `requestFingerprint` → the recorded result,
   *    `replayed: true`; nothing changes (even if the subscription changed since).
   * 2. Key recorded with a different fingerprint → AlreadyExistsError naming the key
   *    (idempotencyKeyConflict).
   * 3. Unknown account → NotFoundError('account', id).
   * 4. Otherwise `mutate(current)`. If it throws, the error propagates and NOTHING is recorded, not even
   *    the key: a refused request (FAILED_PRECONDITION) has changed nothing, so its key stays free and a
   *    retry, or a corrected request, may use it. Otherwise the new subscription and the key's result
   *    are stored atomically.
   *
   * With an empty key, steps 1, 2 and the recording are skipped. Keys are kept for at least
   * IDEMPOTENCY_KEY_RETENTION_MS after first use, measured by the store's clock; expired keys behave as
   * never seen.
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

export interface ApplyResult {
  /** The subscription after the change; for a replay, the result recorded by the first call. */
  subscription: Subscription;
  /** True when the key had been used for this very request, so nothing was changed now. */
  replayed: boolean;
}
