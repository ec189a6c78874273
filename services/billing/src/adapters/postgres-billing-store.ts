import type { Pool, PoolClient } from 'pg';
import type { Logger } from '@streamplane/platform';
import { systemClock, type Clock } from '@streamplane/platform/clock';
import { NotFoundError } from '@streamplane/platform/errors';
import { withTransaction, type Migration } from '@streamplane/platform/postgres';
import type { ApplyResult, BillingStore } from '../application/billing-store';
import {
  IDEMPOTENCY_KEY_RETENTION_MS,
  idempotencyKeyConflict,
  requireDistinctAccounts,
  runMutation,
  type IdempotencyScope,
  type PlanChange,
  type Subscription,
  type SubscriptionMutation,
} from '../domain';

/** Billing's tables live in this schema of the database DATABASE_URL names. */
export const BILLING_SCHEMA = 'billing';

export const BILLING_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'subscriptions, plan changes, idempotency keys',
    sql: `
      CREATE TABLE subscriptions (
        account_id text PRIMARY KEY,
        plan_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('ACTIVE', 'CANCELED')),
        started_at timestamptz NOT NULL,
        canceled_at timestamptz,
        CHECK ((status = 'CANCELED') = (canceled_at IS NOT NULL))
      );
      -- The history, oldest first: seq 0 is the initial subscription.
      CREATE TABLE plan_changes (
        account_id text NOT NULL REFERENCES subscriptions ON DELETE CASCADE,
        seq integer NOT NULL,
        from_plan_id text NOT NULL,
        to_plan_id text NOT NULL,
        status text NOT NULL,
        changed_at timestamptz NOT NULL,
        idempotency_key text NOT NULL,
        PRIMARY KEY (account_id, seq)
      );
      -- The key of a request that applied, with its result (the subscription right after it) for replays.
      -- The primary key is the unique constraint that makes a key apply at most once.
      CREATE TABLE idempotency_keys (
        operation text NOT NULL,
        account_id text NOT NULL REFERENCES subscriptions ON DELETE CASCADE,
        idempotency_key text NOT NULL,
        request_fingerprint text NOT NULL,
        result jsonb NOT NULL,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (operation, account_id, idempotency_key)
      );
      CREATE INDEX idempotency_keys_by_age ON idempotency_keys (recorded_at);
    `,
  },
];

export interface PostgresBillingStoreOptions {
  /** Clock for key retention. Default: the system clock. */
  clock?: Clock;
  /** Default {@link IDEMPOTENCY_KEY_RETENTION_MS}. */
  keyRetentionMs?: number;
  /** Where a failed clean-up of expired keys is reported. */
  logger?: Logger;
}

/** Expired keys are deleted in bulk at most this often; until then they are merely ignored. */
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * The BillingStore on PostgreSQL (schema {@link BILLING_SCHEMA}, migrated by {@link BILLING_MIGRATIONS}).
 *
 * applyIdempotent is one READ COMMITTED transaction that first locks the account's subscription row: every
 * mutation of an account queues there, so each one's later statements see whatever the previous one
 * committed, its recorded key included. Of concurrent calls with one key, the first applies and records
 * the key; the others find it and replay. The unique key of idempotency_keys makes a second recording
 * impossible even if that lock were ever skipped.
 */
export class PostgresBillingStore implements BillingStore {
  private readonly clock: Clock;
  private readonly keyRetentionMs: number;
  private readonly logger?: Logger;
  private lastPruneMs = -Infinity;

  constructor(
    private readonly pool: Pool,
    options: PostgresBillingStoreOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
    this.keyRetentionMs = options.keyRetentionMs ?? IDEMPOTENCY_KEY_RETENTION_MS;
    if (!(this.keyRetentionMs >= 0)) throw new RangeError(`keyRetentionMs must be ≥ 0, got ${this.keyRetentionMs}`);
  }

  async getSubscription(accountId: string): Promise<Subscription> {
    const subscription = await readSubscription(this.pool, accountId);
    if (!subscription) throw new NotFoundError('account', accountId);
    return subscription;
  }

  async applyIdempotent(
    scope: IdempotencyScope,
    requestFingerprint: string,
    mutate: SubscriptionMutation,
  ): Promise<ApplyResult> {
    const now = this.clock.now();
    const oldestKept = new Date(now.getTime() - this.keyRetentionMs);
    await this.pruneExpiredKeys(now, oldestKept);
    const key = [scope.operation, scope.accountId, scope.idempotencyKey];

    return withTransaction(this.pool, async (client) => {
      const locked = await client.query('SELECT 1 FROM subscriptions WHERE account_id = $1 FOR UPDATE', [
        scope.accountId,
      ]);
      if (locked.rowCount === 0) throw new NotFoundError('account', scope.accountId);

      if (scope.idempotencyKey !== '') {
        const recorded = await client.query<{ request_fingerprint: string; result: SubscriptionJson }>(
          `SELECT request_fingerprint, result FROM idempotency_keys
            WHERE operation = $1 AND account_id = $2 AND idempotency_key = $3 AND recorded_at >= $4`,
          [...key, oldestKept],
        );
        const row = recorded.rows[0];
        if (row && row.request_fingerprint === requestFingerprint) {
          return { subscription: subscriptionFromJson(row.result), replayed: true };
        }
        if (row) throw idempotencyKeyConflict(scope, row.request_fingerprint, requestFingerprint);
      }

      // A statement after the lock: it sees the history as the previous holder of the lock left it.
      const current = (await readSubscription(client, scope.accountId))!;
      const next = runMutation(scope, mutate, current);
      await writeSubscription(client, current, next);
      if (scope.idempotencyKey !== '') {
        // An expired key of this scope that pruning has not reached yet is as good as unseen.
        await client.query(
          'DELETE FROM idempotency_keys WHERE operation = $1 AND account_id = $2 AND idempotency_key = $3',
          key,
        );
        await client.query(
          `INSERT INTO idempotency_keys
             (operation, account_id, idempotency_key, request_fingerprint, result, recorded_at)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [...key, requestFingerprint, JSON.stringify(next), now],
        );
      }
      return { subscription: next, replayed: false };
    });
  }

  async seedIfEmpty(subscriptions: readonly Subscription[]): Promise<boolean> {
    return withTransaction(this.pool, async (client) => {
      // SHARE ROW EXCLUSIVE conflicts with itself: of replicas seeding together, one inserts and the
      // others, once it commits, find the table filled.
      await client.query('LOCK TABLE subscriptions IN SHARE ROW EXCLUSIVE MODE');
      const existing = await client.query('SELECT 1 FROM subscriptions LIMIT 1');
      if (existing.rowCount !== 0) return false;
      requireDistinctAccounts(subscriptions);
      await client.query(
        `INSERT INTO subscriptions (account_id, plan_id, status, started_at, canceled_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[])`,
        [
          subscriptions.map((s) => s.accountId),
          subscriptions.map((s) => s.planId),
          subscriptions.map((s) => s.status),
          subscriptions.map((s) => s.startedAt),
          subscriptions.map((s) => s.canceledAt ?? null),
        ],
      );
      await insertPlanChanges(
        client,
        subscriptions.flatMap((s) => s.planChanges.map(() => s.accountId)),
        subscriptions.flatMap((s) => s.planChanges.map((_, seq) => seq)),
        subscriptions.flatMap((s) => s.planChanges),
      );
      return subscriptions.length > 0;
    });
  }

  /** Deletes expired keys now and then, outside any mutation's transaction, so it never holds one up. */
  private async pruneExpiredKeys(now: Date, oldestKept: Date): Promise<void> {
    if (now.getTime() - this.lastPruneMs < PRUNE_INTERVAL_MS) return;
    this.lastPruneMs = now.getTime();
    // Housekeeping, not part of the mutation: expired keys are ignored by every query whether or not they
    // are deleted, so a failure (say, two replicas pruning the same rows) only leaves them for next time.
    await this.pool
      .query('DELETE FROM idempotency_keys WHERE recorded_at < $1', [oldestKept])
      .catch((error: unknown) =>
        this.logger?.warn('pruning expired idempotency keys failed; trying again in an hour', { error }),
      );
  }
}

type Queryable = Pick<Pool | PoolClient, 'query'>;

/** A subscription as the queries below build it and as a recorded result is kept: Dates as strings. */
type SubscriptionJson = Omit<Subscription, 'startedAt' | 'canceledAt' | 'planChanges'> & {
  startedAt: string;
  canceledAt?: string | null;
  planChanges: (Omit<PlanChange, 'changedAt'> & { changedAt: string })[];
};

/** The subscription with its history, read in one statement (one snapshot); undefined when unknown. */
async function readSubscription(db: Queryable, accountId: string): Promise<Subscription | undefined> {
  const { rows } = await db.query<{ subscription: SubscriptionJson }>(
    `SELECT json_build_object(
              'accountId', s.account_id, 'planId', s.plan_id, 'status', s.status,
              'startedAt', s.started_at, 'canceledAt', s.canceled_at,
              'planChanges', (
                SELECT coalesce(json_agg(json_build_object(
                         'fromPlanId', c.from_plan_id, 'toPlanId', c.to_plan_id, 'status', c.status,
                         'changedAt', c.changed_at, 'idempotencyKey', c.idempotency_key) ORDER BY c.seq), '[]')
                  FROM plan_changes c WHERE c.account_id = s.account_id)
            ) AS subscription
       FROM subscriptions s WHERE s.account_id = $1`,
    [accountId],
  );
  return rows[0] && subscriptionFromJson(rows[0].subscription);
}

function subscriptionFromJson(json: SubscriptionJson): Subscription {
  const subscription: Subscription = {
    accountId: json.accountId,
    planId: json.planId,
    status: json.status,
    startedAt: new Date(json.startedAt),
    planChanges: json.planChanges.map((change) => ({ ...change, changedAt: new Date(change.changedAt) })),
  };
  if (json.canceledAt) subscription.canceledAt = new Date(json.canceledAt);
  return subscription;
}

/** Stores `next` over `current`: the row, and the history from the first entry that differs. */
async function writeSubscription(client: PoolClient, current: Subscription, next: Subscription): Promise<void> {
  await client.query(
    'UPDATE subscriptions SET plan_id = $2, status = $3, started_at = $4, canceled_at = $5 WHERE account_id = $1',
    [next.accountId, next.planId, next.status, next.startedAt, next.canceledAt ?? null],
  );
  // The rules only ever append; anything else a mutation returns is stored faithfully all the same.
  let kept = 0;
  while (
    kept < current.planChanges.length &&
    kept < next.planChanges.length &&
    samePlanChange(current.planChanges[kept]!, next.planChanges[kept]!)
  ) {
    kept++;
  }
  if (kept < current.planChanges.length) {
    await client.query('DELETE FROM plan_changes WHERE account_id = $1 AND seq >= $2', [next.accountId, kept]);
  }
  const added = next.planChanges.slice(kept);
  await insertPlanChanges(
    client,
    added.map(() => next.accountId),
    added.map((_, i) => kept + i),
    added,
  );
}

function samePlanChange(a: PlanChange, b: PlanChange): boolean {
  return (
    a.fromPlanId === b.fromPlanId &&
    a.toPlanId === b.toPlanId &&
    a.status === b.status &&
    a.changedAt.getTime() === b.changedAt.getTime() &&
    a.idempotencyKey === b.idempotencyKey
  );
}

/** One statement for any number of history rows (the seed writes thousands). */
async function insertPlanChanges(
  client: PoolClient,
  accountIds: string[],
  seqs: number[],
  changes: readonly PlanChange[],
): Promise<void> {
  if (changes.length === 0) return;
  await client.query(
    `INSERT INTO plan_changes (account_id, seq, from_plan_id, to_plan_id, status, changed_at, idempotency_key)
     SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[])`,
    [
      accountIds,
      seqs,
      changes.map((c) => c.fromPlanId),
      changes.map((c) => c.toPlanId),
      changes.map((c) => c.status),
      changes.map((c) => c.changedAt),
      changes.map((c) => c.idempotencyKey),
    ],
  );
}
