import { migrate } from '@streamplane/platform/postgres';
import { describeWithPostgres, scratchSchemas } from '@streamplane/testkit';
import {
  BILLING_MIGRATIONS,
  PostgresBillingStore,
  type PostgresBillingStoreOptions,
} from '../../src/adapters/postgres-billing-store';
import { seedBillingStore } from '../../src/application/seed-billing-store';
import { generateSubscriptions, newSubscription, withPlanChanged } from '../../src/domain';
import type { IdempotencyScope, Subscription } from '../../src/domain';
import { HOUR_MS, ManualClock, expectRejects } from '../helpers';
import { describeBillingStoreContract } from './store-contract';

describeWithPostgres('PostgresBillingStore', (postgres) => {
  const scratch = scratchSchemas(postgres, 'billing');

  /** A migrated, empty store in a schema of its own, so no test sees another's rows. */
  async function emptyStore(options: PostgresBillingStoreOptions = {}, schemaName?: string) {
    const { pool, schema } = scratch.pool(schemaName);
    await migrate(pool, schema, BILLING_MIGRATIONS);
    return { store: new PostgresBillingStore(pool, options), pool, schema };
  }

  describeBillingStoreContract('PostgresBillingStore', async (subscriptions) => {
    const { store } = await emptyStore();
    await store.seedIfEmpty(subscriptions);
    return store;
  });

  const T0 = new Date('2025-01-01T00:00:00.000Z');
  const scope = (idempotencyKey: string): IdempotencyScope => ({
    operation: 'ChangePlan',
    accountId: 'a-1',
    idempotencyKey,
  });

  it('remembers a key for 24 hours, then treats it as unseen and prunes it', async () => {
    const clock = new ManualClock(T0);
    const { store, pool } = await emptyStore({ clock });
    await store.seedIfEmpty([newSubscription('a-1', 'basic', T0)]);
    const moveTo = (planId: string) => (current: Subscription) => withPlanChanged(current, planId, clock.now(), '');

    const first = await store.applyIdempotent(scope('k'), 'plan=standard', moveTo('standard'));
    clock.advance(24 * HOUR_MS);
    expect(await store.applyIdempotent(scope('k'), 'plan=standard', moveTo('standard'))).toEqual({
      subscription: first.subscription,
      replayed: true,
    });
    clock.advance(1);
    const fresh = await store.applyIdempotent(scope('k'), 'plan=premium', moveTo('premium'));
    expect(fresh).toMatchObject({ replayed: false, subscription: { planId: 'premium' } });

    await store.applyIdempotent(scope('other'), 'plan=basic', moveTo('basic'));
    clock.advance(25 * HOUR_MS); // both keys expired; the next mutation prunes them (an hour has passed)
    await store.applyIdempotent(scope(''), 'plan=standard', moveTo('standard'));
    expect((await pool.query('SELECT count(*)::int AS n FROM idempotency_keys')).rows[0].n).toBe(0);
  });

  it('seeds once when replicas seed one database together', async () => {
    const schema = 'billing_shared_by_replicas';
    const replicas = await Promise.all([emptyStore({}, schema), emptyStore({}, schema), emptyStore({}, schema)]);
    const subscriptions = generateSubscriptions(50);
    const seeded = await Promise.all(replicas.map(({ store }) => store.seedIfEmpty(subscriptions)));
    expect(seeded.filter(Boolean)).toHaveLength(1);
    const counts = await replicas[0]!.pool.query(
      'SELECT (SELECT count(*) FROM subscriptions)::int AS accounts, (SELECT count(*) FROM plan_changes)::int AS changes',
    );
    expect(counts.rows[0]).toEqual({
      accounts: 50,
      changes: subscriptions.reduce((sum, s) => sum + s.planChanges.length, 0),
    });
  });

  it('stores the generated seed faithfully', async () => {
    const { store } = await emptyStore();
    expect(await seedBillingStore(store, 300)).toBe(true);
    for (const expected of generateSubscriptions(300)) {
      expect(await store.getSubscription(expected.accountId)).toEqual(expected);
    }
  });

  it('refuses a seed that names an account twice, and writes none of it', async () => {
    const { store } = await emptyStore();
    await expectRejects(
      store.seedIfEmpty([newSubscription('x', 'basic', T0), newSubscription('x', 'premium', T0)]),
      Error,
      'duplicate account "x"',
    );
    expect(await store.seedIfEmpty([newSubscription('y', 'basic', T0)])).toBe(true);
  });
});
