import {
  AlreadyExistsError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
} from '@streamplane/platform/errors';
import { InMemoryBillingStore } from '../../src/adapters/in-memory-billing-store';
import { Billing } from '../../src/application/billing';
import { seedBillingStore } from '../../src/application/seed-billing-store';
import { HOUR_MS, ManualClock, expectConsistent, expectRejects } from '../helpers';

/** ChangePlan and CancelSubscription with idempotency keys, through the Billing rules. */

let clock: ManualClock;
let billing: Billing;

beforeEach(async () => {
  clock = new ManualClock('2026-03-01T12:00:00.000Z');
  const store = new InMemoryBillingStore({ clock });
  await seedBillingStore(store, 10);
  billing = new Billing(store, { clock });
});

const historyLength = async (accountId: string) => (await billing.getSubscription(accountId)).planChanges.length;

describe('the same key with the same request', () => {
  it('returns the first ChangePlan result and changes nothing again', async () => {
    const first = await billing.changePlan('acct-0003', 'premium', 'k-1');
    const length = await historyLength('acct-0003');
    clock.advance(HOUR_MS);
    const retry = await billing.changePlan('acct-0003', 'premium', 'k-1');
    expect(retry).toEqual({ subscription: first.subscription, replayed: true });
    expect(await historyLength('acct-0003')).toBe(length);
    // Not a FAILED_PRECONDITION "already on plan premium": the retry is answered, not re-evaluated.
  });

  it('returns the first CancelSubscription result rather than "already canceled"', async () => {
    const first = await billing.cancelSubscription('acct-0002', 'c-1');
    clock.advance(HOUR_MS);
    expect(await billing.cancelSubscription('acct-0002', 'c-1')).toEqual({
      subscription: first.subscription,
      replayed: true,
    });
    expect(await historyLength('acct-0002')).toBe(first.subscription.planChanges.length);
    await expectRejects(billing.cancelSubscription('acct-0002', 'c-2'), FailedPreconditionError, 'already canceled');
  });

  it('returns the first result even after later changes, which it leaves in place', async () => {
    const first = await billing.changePlan('acct-0003', 'standard', 'k-1');
    const later = await billing.changePlan('acct-0003', 'premium', 'k-2');
    expect((await billing.changePlan('acct-0003', 'standard', 'k-1')).subscription).toEqual(first.subscription);
    expect(await billing.getSubscription('acct-0003')).toEqual(later.subscription);
  });
});

describe('the same key with a different request', () => {
  it('is AlreadyExists with a message naming the key; nothing changes', async () => {
    await billing.changePlan('acct-0003', 'standard', 'k-1');
    const before = await billing.getSubscription('acct-0003');
    await expectRejects(
      billing.changePlan('acct-0003', 'premium', 'k-1'),
      AlreadyExistsError,
      'idempotency_key "k-1" was already used for a different ChangePlan request on account "acct-0003"',
      'plan_id="standard"',
      'plan_id="premium"',
    );
    expect(await billing.getSubscription('acct-0003')).toEqual(before);
  });

  it('is AlreadyExists even when the different request would be refused anyway', async () => {
    await billing.changePlan('acct-0003', 'standard', 'k-1');
    await expectRejects(billing.changePlan('acct-0003', 'basic', 'k-1'), AlreadyExistsError, '"k-1"');
  });
});

describe('key scope', () => {
  it('is per account: the same key on another account is a new request', async () => {
    const a = await billing.changePlan('acct-0002', 'premium', 'shared');
    const b = await billing.changePlan('acct-0003', 'premium', 'shared');
    expect([a.replayed, b.replayed]).toEqual([false, false]);
    expect((await billing.getSubscription('acct-0003')).planId).toBe('premium');
  });

  it('is per RPC: the same key on CancelSubscription and ChangePlan are unrelated', async () => {
    await billing.cancelSubscription('acct-0002', 'shared');
    const reactivated = await billing.changePlan('acct-0002', 'basic', 'shared');
    expect(reactivated.replayed).toBe(false);
    expect(reactivated.subscription).toMatchObject({ status: 'ACTIVE', planId: 'basic' });
    const canceledAgain = await billing.cancelSubscription('acct-0002', 'shared');
    expect(canceledAgain.replayed).toBe(true);
    expect((await billing.getSubscription('acct-0002')).status).toBe('ACTIVE');
  });
});

describe('a refused request does not use up its key', () => {
  it('FAILED_PRECONDITION: the key can carry a corrected request', async () => {
    await expectRejects(billing.changePlan('acct-0001', 'premium', 'k-1'), FailedPreconditionError);
    const corrected = await billing.changePlan('acct-0001', 'basic', 'k-1');
    expect(corrected.replayed).toBe(false);
    expect(corrected.subscription.planId).toBe('basic');
  });

  it('FAILED_PRECONDITION: the same request is evaluated again, against the state at that time', async () => {
    await expectRejects(billing.cancelSubscription('acct-0004', 'c-1'), FailedPreconditionError);
    await expectRejects(billing.cancelSubscription('acct-0004', 'c-1'), FailedPreconditionError);
    await billing.changePlan('acct-0004', 'standard', '');
    expect((await billing.cancelSubscription('acct-0004', 'c-1')).replayed).toBe(false);
  });

  it('NOT_FOUND and INVALID_ARGUMENT: nothing is recorded', async () => {
    await expectRejects(billing.changePlan('acct-0003', 'gold', 'k-1'), NotFoundError);
    await expectRejects(billing.changePlan('acct-0404', 'premium', 'k-1'), NotFoundError);
    expect((await billing.changePlan('acct-0003', 'premium', 'k-1')).replayed).toBe(false);
  });
});

describe('without a key', () => {
  it('every request applies on its own', async () => {
    await billing.changePlan('acct-0003', 'premium', '');
    await billing.changePlan('acct-0003', 'basic', '');
    await expectRejects(billing.changePlan('acct-0003', 'basic', ''), FailedPreconditionError, 'already on plan');
    await billing.cancelSubscription('acct-0003', '');
    await expectRejects(billing.cancelSubscription('acct-0003', ''), FailedPreconditionError);
    expect(await historyLength('acct-0003')).toBe(4);
  });
});

describe('concurrency', () => {
  it('10 concurrent ChangePlan calls with one key apply exactly once', async () => {
    const before = await historyLength('acct-0003');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => billing.changePlan('acct-0003', 'premium', 'race-1')),
    );
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    for (const result of results) expect(result.subscription).toEqual(results[0]!.subscription);
    const after = await billing.getSubscription('acct-0003');
    expect(after.planChanges).toHaveLength(before + 1);
    expect(after.planChanges.filter((c) => c.idempotencyKey === 'race-1')).toHaveLength(1);
    expectConsistent(after);
  });

  it('10 concurrent CancelSubscription calls with one key apply exactly once', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => billing.cancelSubscription('acct-0001', 'race-2')),
    );
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(
      (await billing.getSubscription('acct-0001')).planChanges.filter((c) => c.status === 'CANCELED'),
    ).toHaveLength(1);
  });

  it('one key raced with different plans: the first request wins, the others are AlreadyExists', async () => {
    const plans = ['premium', 'standard', 'premium', 'standard', 'premium', 'standard'];
    const outcomes = await Promise.allSettled(plans.map((plan) => billing.changePlan('acct-0003', plan, 'race-3')));
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
    ]);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(AlreadyExistsError);
    }
    expect((await billing.getSubscription('acct-0003')).planId).toBe('premium');
    expect(await historyLength('acct-0003')).toBe(2);
  });

  it('concurrent requests with distinct keys each apply or are refused, never lost', async () => {
    const plans = [
      'premium',
      'basic',
      'basic',
      'standard',
      'standard',
      'premium',
      'premium',
      'basic',
      'basic',
      'basic',
    ];
    const outcomes = await Promise.allSettled(
      plans.map((plan, i) => billing.changePlan('acct-0003', plan, `distinct-${i}`)),
    );
    const applied = outcomes.filter((o) => o.status === 'fulfilled').length;
    expect(applied).toBe(5); // in call order: every request that asks for the current plan is refused
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(FailedPreconditionError);
    }
    const after = await billing.getSubscription('acct-0003');
    expect(after.planChanges).toHaveLength(1 + applied);
    expect(after.planId).toBe('basic');
    expectConsistent(after);
  });
});

describe('malformed keys', () => {
  it('are InvalidArgument("idempotency_key") on both RPCs', async () => {
    await expectRejects(billing.changePlan('acct-0003', 'premium', 'é'), InvalidArgumentError, 'idempotency_key');
    await expectRejects(
      billing.cancelSubscription('acct-0003', 'x'.repeat(200)),
      InvalidArgumentError,
      'idempotency_key',
    );
  });
});
