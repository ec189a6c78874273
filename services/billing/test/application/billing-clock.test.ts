import { AlreadyExistsError, InvalidArgumentError } from '@streamplane/platform/errors';
import { InMemoryBillingStore } from '../../src/adapters/in-memory-billing-store';
import { Billing } from '../../src/application/billing';
import type { ApplyResult, BillingStore } from '../../src/application/billing-store';
import {
  IDEMPOTENCY_KEY_RETENTION_MS,
  newSubscription,
  runMutation,
  type IdempotencyScope,
  type Subscription,
  type SubscriptionMutation,
} from '../../src/domain';
import { HOUR_MS, ManualClock, expectRejects } from '../helpers';

/** Billing's use cases with time moved by hand: no process, no sleeping, no system clock. */

const T0 = '2026-03-01T12:00:00.000Z';

/**
 * A BillingStore port that holds one subscription per account and applies every mutation (it keeps no
 * keys: what a call asks of the store is what these tests look at), recording each applyIdempotent call.
 */
class RecordingStore implements BillingStore {
  readonly applied: { scope: IdempotencyScope; fingerprint: string }[] = [];
  private readonly subscriptions: Map<string, Subscription>;

  constructor(subscriptions: Subscription[]) {
    this.subscriptions = new Map(subscriptions.map((s) => [s.accountId, s]));
  }

  async getSubscription(accountId: string): Promise<Subscription> {
    return this.subscriptions.get(accountId)!;
  }

  async applyIdempotent(
    scope: IdempotencyScope,
    fingerprint: string,
    mutate: SubscriptionMutation,
  ): Promise<ApplyResult> {
    this.applied.push({ scope, fingerprint });
    const next = runMutation(scope, mutate, this.subscriptions.get(scope.accountId)!);
    this.subscriptions.set(scope.accountId, next);
    return { subscription: next, replayed: false };
  }

  async seedIfEmpty(): Promise<boolean> {
    return false;
  }
}

describe('Billing with a manual clock and a recording store', () => {
  let clock: ManualClock;
  let store: RecordingStore;
  let billing: Billing;

  beforeEach(() => {
    clock = new ManualClock(T0);
    store = new RecordingStore([newSubscription('a-1', 'basic', new Date('2025-01-01T00:00:00.000Z'))]);
    billing = new Billing(store, { clock });
  });

  it('stamps a plan change with the clock’s time, asking the store once with the scope and the plan', async () => {
    clock.advance(3 * HOUR_MS);
    const { subscription } = await billing.changePlan('a-1', 'premium', 'up-1');
    expect(subscription.planChanges.at(-1)).toEqual({
      fromPlanId: 'basic',
      toPlanId: 'premium',
      status: 'ACTIVE',
      changedAt: new Date('2026-03-01T15:00:00.000Z'),
      idempotencyKey: 'up-1',
    });
    expect(store.applied).toEqual([
      {
        scope: { operation: 'ChangePlan', accountId: 'a-1', idempotencyKey: 'up-1' },
        fingerprint: 'plan_id="premium"',
      },
    ]);
  });

  it('stamps a cancellation and a reactivation with the clock’s time at each call', async () => {
    clock.set('2026-04-01T00:00:00.000Z');
    const canceled = await billing.cancelSubscription('a-1', '');
    expect(canceled.subscription.canceledAt).toEqual(new Date('2026-04-01T00:00:00.000Z'));
    clock.advance(24 * HOUR_MS);
    const back = await billing.changePlan('a-1', 'standard', '');
    expect(back.subscription.startedAt).toEqual(new Date('2026-04-02T00:00:00.000Z'));
    expect(back.subscription.planChanges.map((c) => c.changedAt.toISOString())).toEqual([
      '2025-01-01T00:00:00.000Z',
      '2026-04-01T00:00:00.000Z',
      '2026-04-02T00:00:00.000Z',
    ]);
    expect(store.applied.map((call) => call.scope.operation)).toEqual(['CancelSubscription', 'ChangePlan']);
  });

  it('never asks the store about a malformed request', async () => {
    await expectRejects(billing.changePlan('a-1', 'premium', 'bad\n'), InvalidArgumentError, 'idempotency_key');
    await expectRejects(billing.cancelSubscription('', ''), InvalidArgumentError, 'account_id');
    expect(store.applied).toHaveLength(0);
  });
});

describe('idempotency-key retention in manual time', () => {
  let clock: ManualClock;
  let billing: Billing;

  beforeEach(async () => {
    clock = new ManualClock(T0);
    const store = new InMemoryBillingStore({ clock });
    await store.seedIfEmpty([newSubscription('a-1', 'basic', new Date('2025-01-01T00:00:00.000Z'))]);
    billing = new Billing(store, { clock });
  });

  it('replays a key for 24 hours of manual time, then forgets it', async () => {
    expect(IDEMPOTENCY_KEY_RETENTION_MS).toBe(24 * HOUR_MS);
    const first = await billing.changePlan('a-1', 'premium', 'k');
    clock.advance(IDEMPOTENCY_KEY_RETENTION_MS);
    expect(await billing.changePlan('a-1', 'premium', 'k')).toEqual({
      subscription: first.subscription,
      replayed: true,
    });
    await expectRejects(billing.changePlan('a-1', 'standard', 'k'), AlreadyExistsError, '"k"');

    clock.advance(1);
    const after = await billing.changePlan('a-1', 'standard', 'k');
    expect(after.replayed).toBe(false);
    expect(after.subscription.planChanges).toHaveLength(3);
    expect(after.subscription.planChanges.at(-1)!.changedAt).toEqual(new Date('2026-03-02T12:00:00.001Z'));
  });

  it('keeps a replayed result stamped with the time of the first call', async () => {
    clock.advance(HOUR_MS);
    await billing.cancelSubscription('a-1', 'bye');
    clock.advance(23 * HOUR_MS);
    const replay = await billing.cancelSubscription('a-1', 'bye');
    expect(replay.replayed).toBe(true);
    expect(replay.subscription.canceledAt).toEqual(new Date('2026-03-01T13:00:00.000Z'));
  });
});
