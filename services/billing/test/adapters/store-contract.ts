import { AlreadyExistsError, FailedPreconditionError, NotFoundError } from '@streamplane/platform/errors';
import type { BillingStore } from '../../src/application/billing-store';
import { newSubscription, withPlanChanged } from '../../src/domain';
import type { IdempotencyScope, Subscription, SubscriptionMutation } from '../../src/domain';
import { expectRejects } from '../helpers';

/**
 * The behaviour every BillingStore must have, written once and run against each implementation (the
 * in-memory store and the PostgreSQL store). `makeStore` returns a store seeded with exactly the given
 * subscriptions and nothing else.
 */
export function describeBillingStoreContract(
  name: string,
  makeStore: (subscriptions: readonly Subscription[]) => Promise<BillingStore>,
): void {
  describe(`BillingStore contract: ${name}`, () => {
    const T0 = new Date('2025-01-01T00:00:00.000Z');
    const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
    const fixtures = (): Subscription[] => [
      newSubscription('a-1', 'basic', T0),
      newSubscription('a-2', 'standard', T0),
    ];
    let store: BillingStore;

    beforeEach(async () => {
      store = await makeStore(fixtures());
    });

    const scope = (
      idempotencyKey: string,
      accountId = 'a-1',
      operation: IdempotencyScope['operation'] = 'ChangePlan',
    ): IdempotencyScope => ({ operation, accountId, idempotencyKey });

    /** A mutation that moves to `planId` at minute `at`, counting its calls. */
    const moveTo = (planId: string, at = 1) =>
      jest.fn<Subscription, [Subscription]>((current) => withPlanChanged(current, planId, minutes(at), ''));

    it('reads the seeded subscriptions; unknown accounts are NotFound("account")', async () => {
      expect(await store.getSubscription('a-1')).toEqual(fixtures()[0]);
      expect(await store.getSubscription('a-2')).toEqual(fixtures()[1]);
      await expectRejects(store.getSubscription('a-3'), NotFoundError, 'account "a-3" not found');
    });

    it('hands out copies: changing a returned subscription does not change the store', async () => {
      const read = await store.getSubscription('a-1');
      read.planId = 'premium';
      read.planChanges.push({ ...read.planChanges[0]! });
      read.startedAt.setTime(0);
      const applied = await store.applyIdempotent(scope('k'), 'f', moveTo('standard'));
      applied.subscription.planChanges.length = 0;
      const again = await store.getSubscription('a-1');
      expect(again.planId).toBe('standard');
      expect(again.planChanges).toHaveLength(2);
      expect(again.startedAt).toEqual(T0);
    });

    it('passes mutate a copy: an in-place edit followed by a refusal leaves nothing behind', async () => {
      await expectRejects(
        store.applyIdempotent(scope('k'), 'f', (current) => {
          current.planId = 'premium';
          current.planChanges.length = 0;
          throw new FailedPreconditionError('refused');
        }),
        FailedPreconditionError,
        'refused',
      );
      expect(await store.getSubscription('a-1')).toEqual(fixtures()[0]);
    });

    it('applies and stores the mutation; without a key every call applies', async () => {
      const first = await store.applyIdempotent(scope(''), 'f', moveTo('standard'));
      expect(first).toEqual({
        subscription: withPlanChanged(fixtures()[0]!, 'standard', minutes(1), ''),
        replayed: false,
      });
      const second = await store.applyIdempotent(scope(''), 'f', moveTo('premium', 2));
      expect(second.replayed).toBe(false);
      expect(second.subscription.planChanges.map((c) => c.toPlanId)).toEqual(['basic', 'standard', 'premium']);
      expect(await store.getSubscription('a-1')).toEqual(second.subscription);
    });

    it('replays a key used with the same fingerprint: the first result, mutate not run, nothing changed', async () => {
      const first = await store.applyIdempotent(scope('k1'), 'plan=standard', moveTo('standard'));
      const again = moveTo('standard', 5);
      const replay = await store.applyIdempotent(scope('k1'), 'plan=standard', again);
      expect(again).not.toHaveBeenCalled();
      expect(replay).toEqual({ subscription: first.subscription, replayed: true });
      expect(await store.getSubscription('a-1')).toEqual(first.subscription);
    });

    it('replays the recorded result even after later changes, and leaves the later state alone', async () => {
      const first = await store.applyIdempotent(scope('k1'), 'plan=standard', moveTo('standard'));
      const later = await store.applyIdempotent(scope('k2'), 'plan=premium', moveTo('premium', 2));
      const replay = await store.applyIdempotent(scope('k1'), 'plan=standard', moveTo('standard', 3));
      expect(replay).toEqual({ subscription: first.subscription, replayed: true });
      expect(await store.getSubscription('a-1')).toEqual(later.subscription);
    });

    it('rejects a key reused with another fingerprint: AlreadyExists naming the key; nothing changed', async () => {
      const first = await store.applyIdempotent(scope('key-42'), 'plan=standard', moveTo('standard'));
      const other = moveTo('premium', 2);
      await expectRejects(
        store.applyIdempotent(scope('key-42'), 'plan=premium', other),
        AlreadyExistsError,
        '"key-42"',
        'ChangePlan',
        'a-1',
        'plan=standard',
        'plan=premium',
      );
      expect(other).not.toHaveBeenCalled();
      expect(await store.getSubscription('a-1')).toEqual(first.subscription);
    });

    it('scopes keys to (operation, account): the same key elsewhere is unrelated', async () => {
      await store.applyIdempotent(scope('shared'), 'plan=standard', moveTo('standard'));
      const otherAccount = await store.applyIdempotent(scope('shared', 'a-2'), 'plan=premium', moveTo('premium'));
      expect(otherAccount.replayed).toBe(false);
      expect(otherAccount.subscription.planId).toBe('premium');
      const otherOperation = await store.applyIdempotent(
        scope('shared', 'a-1', 'CancelSubscription'),
        '',
        moveTo('premium', 2),
      );
      expect(otherOperation.replayed).toBe(false);
      expect((await store.getSubscription('a-1')).planId).toBe('premium');
    });

    it('records nothing when mutate throws: the error propagates and the key stays free', async () => {
      const refuse: SubscriptionMutation = () => {
        throw new FailedPreconditionError('no');
      };
      await expectRejects(store.applyIdempotent(scope('k'), 'plan=basic', refuse), FailedPreconditionError, 'no');
      // A retry of the refused request runs the rule again rather than replaying the refusal…
      const retry = moveTo('standard');
      await store.applyIdempotent(scope('k'), 'plan=basic', retry);
      expect(retry).toHaveBeenCalledTimes(1);
      // …and the key is now taken by the request that applied.
      await expectRejects(store.applyIdempotent(scope('k'), 'plan=premium', moveTo('premium')), AlreadyExistsError);
    });

    it('lets a corrected request reuse the key of a refused one', async () => {
      const refuse: SubscriptionMutation = () => {
        throw new FailedPreconditionError('no');
      };
      await expectRejects(store.applyIdempotent(scope('k'), 'plan=basic', refuse), FailedPreconditionError);
      const corrected = await store.applyIdempotent(scope('k'), 'plan=premium', moveTo('premium'));
      expect(corrected.replayed).toBe(false);
      expect(corrected.subscription.planId).toBe('premium');
    });

    it('is NotFound("account") for an unknown account, with or without a key, and records nothing', async () => {
      const mutate = moveTo('standard');
      await expectRejects(store.applyIdempotent(scope('k', 'nobody'), 'f', mutate), NotFoundError, 'account "nobody"');
      await expectRejects(store.applyIdempotent(scope('', 'nobody'), 'f', mutate), NotFoundError, 'account "nobody"');
      expect(mutate).not.toHaveBeenCalled();
      await expectRejects(store.applyIdempotent(scope('k', 'nobody'), 'g', mutate), NotFoundError);
    });

    it('applies 10 concurrent calls with one key exactly once; the other 9 replay it', async () => {
      const mutate = moveTo('premium');
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store.applyIdempotent(scope('race'), 'plan=premium', mutate)),
      );
      expect(mutate).toHaveBeenCalledTimes(1);
      expect(results.filter((r) => !r.replayed)).toHaveLength(1);
      for (const result of results) expect(result.subscription).toEqual(results[0]!.subscription);
      expect((await store.getSubscription('a-1')).planChanges).toHaveLength(2);
    });

    it('serialises concurrent calls with different keys: each sees the previous one', async () => {
      const plans = ['standard', 'premium'];
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.applyIdempotent(scope(`k${i}`), `n=${i}`, (current) =>
            withPlanChanged(current, plans[current.planChanges.length % 2]!, minutes(i), ''),
          ),
        ),
      );
      expect(results.every((r) => !r.replayed)).toBe(true);
      const final = await store.getSubscription('a-1');
      expect(final.planChanges).toHaveLength(11);
      final.planChanges.slice(1).forEach((change, i) => {
        expect(change.fromPlanId).toBe(final.planChanges[i]!.toPlanId);
      });
    });

    it('seeds only an empty store', async () => {
      expect(await store.seedIfEmpty([newSubscription('a-9', 'premium', T0)])).toBe(false);
      await expectRejects(store.getSubscription('a-9'), NotFoundError);
      const empty = await makeStore([]);
      expect(await empty.seedIfEmpty(fixtures())).toBe(true);
      expect(await empty.getSubscription('a-2')).toEqual(fixtures()[1]);
      expect(await empty.seedIfEmpty([newSubscription('a-9', 'premium', T0)])).toBe(false);
    });
  });
}
