import { AlreadyExistsError } from '@streamplane/platform/errors';
import { InMemoryBillingStore } from '../../src/adapters/in-memory-billing-store';
import { IDEMPOTENCY_KEY_RETENTION_MS, newSubscription, withPlanChanged } from '../../src/domain';
import type { IdempotencyScope, Subscription } from '../../src/domain';
import { HOUR_MS, ManualClock, expectRejects } from '../helpers';
import { describeBillingStoreContract } from './store-contract';

describeBillingStoreContract('InMemoryBillingStore', async (subscriptions) => {
  const store = new InMemoryBillingStore();
  await store.seedIfEmpty(subscriptions);
  return store;
});

describe('InMemoryBillingStore', () => {
  const T0 = new Date('2025-01-01T00:00:00.000Z');
  let clock: ManualClock;
  let store: InMemoryBillingStore;

  beforeEach(async () => {
    clock = new ManualClock(T0);
    store = new InMemoryBillingStore({ clock });
    await store.seedIfEmpty([newSubscription('a-1', 'basic', T0), newSubscription('a-2', 'basic', T0)]);
  });

  const scope = (idempotencyKey: string, accountId = 'a-1'): IdempotencyScope => ({
    operation: 'ChangePlan',
    accountId,
    idempotencyKey,
  });
  const moveTo = (planId: string) => (current: Subscription) => withPlanChanged(current, planId, clock.now(), '');

  it('keeps keys for 24 hours by default', () => {
    expect(IDEMPOTENCY_KEY_RETENTION_MS).toBe(24 * HOUR_MS);
  });

  it('remembers a key for the full 24 hours, then forgets it', async () => {
    const first = await store.applyIdempotent(scope('k'), 'plan=standard', moveTo('standard'));
    clock.advance(24 * HOUR_MS);
    expect(await store.applyIdempotent(scope('k'), 'plan=standard', moveTo('standard'))).toEqual({
      subscription: first.subscription,
      replayed: true,
    });
    await expectRejects(store.applyIdempotent(scope('k'), 'plan=premium', moveTo('premium')), AlreadyExistsError);

    clock.advance(1);
    const fresh = await store.applyIdempotent(scope('k'), 'plan=premium', moveTo('premium'));
    expect(fresh.replayed).toBe(false);
    expect(fresh.subscription.planId).toBe('premium');
  });

  it('prunes expired keys lazily, oldest first', async () => {
    await store.applyIdempotent(scope('k1'), 'p', moveTo('standard'));
    clock.advance(HOUR_MS);
    await store.applyIdempotent(scope('k2'), 'p', moveTo('premium'));
    expect(store.idempotencyKeyCount).toBe(2);

    clock.advance(23 * HOUR_MS + 1); // k1 is 24 h + 1 ms old, k2 23 h + 1 ms
    await store.applyIdempotent(scope('', 'a-2'), 'p', moveTo('standard'));
    expect(store.idempotencyKeyCount).toBe(1);
    expect((await store.applyIdempotent(scope('k2'), 'p', moveTo('basic'))).replayed).toBe(true);

    clock.advance(HOUR_MS);
    await store.applyIdempotent(scope('', 'a-2'), 'p', moveTo('premium'));
    expect(store.idempotencyKeyCount).toBe(0);
  });

  it('treats an expired key as unseen even when pruning has not reached it (clock stepped back)', async () => {
    clock.set('2025-01-01T10:00:00.000Z');
    await store.applyIdempotent(scope('late'), 'p', moveTo('standard'));
    clock.set('2025-01-01T00:00:00.000Z');
    await store.applyIdempotent(scope('early'), 'p', moveTo('premium'));
    // 29 h after "early", 19 h after "late": pruning stops at "late", which is older in insertion order.
    clock.set('2025-01-02T05:00:00.000Z');
    const again = await store.applyIdempotent(scope('early'), 'other', moveTo('basic'));
    expect(again.replayed).toBe(false);
    expect(again.subscription.planId).toBe('basic');
  });

  it('honours a custom retention', async () => {
    const short = new InMemoryBillingStore({ clock, keyRetentionMs: 1000 });
    await short.seedIfEmpty([newSubscription('a-1', 'basic', T0)]);
    await short.applyIdempotent(scope('k'), 'p', moveTo('standard'));
    clock.advance(1001);
    expect((await short.applyIdempotent(scope('k'), 'q', moveTo('premium'))).replayed).toBe(false);
    expect(() => new InMemoryBillingStore({ keyRetentionMs: -1 })).toThrow(RangeError);
  });

  it('refuses an asynchronous mutate instead of storing a promise', async () => {
    const asyncMutate = (async (current: Subscription) => current) as unknown as (s: Subscription) => Subscription;
    await expectRejects(store.applyIdempotent(scope('k'), 'p', asyncMutate), TypeError, 'synchronous');
    expect(store.idempotencyKeyCount).toBe(0);
    expect((await store.getSubscription('a-1')).planChanges).toHaveLength(1);
  });

  it('refuses a mutate that returns another account', async () => {
    await expectRejects(
      store.applyIdempotent(scope('k'), 'p', (current) => ({ ...current, accountId: 'a-2' })),
      Error,
      'returned account "a-2"',
    );
    expect((await store.getSubscription('a-2')).planChanges).toHaveLength(1);
  });

  it('rejects duplicate accounts in a seed', async () => {
    const empty = new InMemoryBillingStore();
    await expectRejects(
      empty.seedIfEmpty([newSubscription('x', 'basic', T0), newSubscription('x', 'premium', T0)]),
      Error,
      'duplicate account "x"',
    );
  });
});
