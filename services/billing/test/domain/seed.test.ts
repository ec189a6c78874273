import { NotFoundError } from '@streamplane/platform/errors';
import { InMemoryBillingStore } from '../../src/adapters/in-memory-billing-store';
import { Billing } from '../../src/application/billing';
import { seedBillingStore } from '../../src/application/seed-billing-store';
import { DEFAULT_ACCOUNT_COUNT, PLAN_IDS, SEED_EPOCH, formatAccountId, generateSubscriptions } from '../../src/domain';
import type { Subscription } from '../../src/domain';
import { expectConsistent, expectRejects } from '../helpers';
import { withoutRandomnessOrClock } from '@streamplane/testkit';

describe('generateSubscriptions', () => {
  const subscriptions = generateSubscriptions();
  const byId = new Map(subscriptions.map((s) => [s.accountId, s]));
  const fixture = (id: string): Subscription => byId.get(id)!;

  it('covers acct-0001 … acct-1000, one subscription each, in order', () => {
    expect(DEFAULT_ACCOUNT_COUNT).toBe(1000);
    expect(subscriptions.map((s) => s.accountId)).toEqual(
      Array.from({ length: 1000 }, (_, i) => `acct-${String(i + 1).padStart(4, '0')}`),
    );
    expect(formatAccountId(7)).toBe('acct-0007');
  });

  it('is deterministic and prefix-stable', () => {
    expect(generateSubscriptions()).toEqual(subscriptions);
    expect(generateSubscriptions(10)).toEqual(subscriptions.slice(0, 10));
    expect(generateSubscriptions(1200).slice(0, 1000)).toEqual(subscriptions);
  });

  it('never uses Math.random or the clock', () => {
    withoutRandomnessOrClock(() => {
      expect(generateSubscriptions(200)).toEqual(subscriptions.slice(0, 200));
    });
  });

  it('returns fresh objects on every call', () => {
    const again = generateSubscriptions(5);
    again[0]!.planChanges.length = 0;
    again[0]!.startedAt.setTime(0);
    expect(generateSubscriptions(5)[0]).toEqual(subscriptions[0]);
  });

  it('rejects impossible counts', () => {
    expect(generateSubscriptions(0)).toEqual([]);
    expect(() => generateSubscriptions(-1)).toThrow(RangeError);
    expect(() => generateSubscriptions(2.5)).toThrow(RangeError);
    expect(() => generateSubscriptions(10_000)).toThrow(RangeError);
  });

  it('has the fixed fixtures of the design page', () => {
    expect(fixture('acct-0001')).toMatchObject({ planId: 'premium', status: 'ACTIVE' });
    expect(fixture('acct-0001').planChanges.map((c) => [c.fromPlanId, c.toPlanId, c.status])).toEqual([
      ['', 'standard', 'ACTIVE'],
      ['standard', 'premium', 'ACTIVE'],
    ]);
    expect(fixture('acct-0002')).toMatchObject({ planId: 'standard', status: 'ACTIVE' });
    expect(fixture('acct-0002').planChanges).toHaveLength(1);
    expect(fixture('acct-0003')).toMatchObject({ planId: 'basic', status: 'ACTIVE' });
    expect(fixture('acct-0003').planChanges).toHaveLength(1);
    expect(fixture('acct-0004')).toMatchObject({ planId: 'standard', status: 'CANCELED' });
    expect(fixture('acct-0004').planChanges.map((c) => [c.fromPlanId, c.toPlanId, c.status])).toEqual([
      ['', 'standard', 'ACTIVE'],
      ['standard', 'standard', 'CANCELED'],
    ]);
    for (const id of ['acct-0001', 'acct-0002', 'acct-0003']) expect(fixture(id).canceledAt).toBeUndefined();
    expect(fixture('acct-0004').canceledAt).toBeInstanceOf(Date);
  });

  it('keeps every subscription consistent (history chains, started_at, canceled_at)', () => {
    for (const subscription of subscriptions) expectConsistent(subscription);
  });

  it('stamps times from the fixed epoch, within about a year and a half, with no idempotency keys', () => {
    const limit = SEED_EPOCH.getTime() + 550 * 24 * 60 * 60 * 1000;
    expect(SEED_EPOCH.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    for (const subscription of subscriptions) {
      for (const change of subscription.planChanges) {
        expect(change.changedAt.getTime()).toBeGreaterThanOrEqual(SEED_EPOCH.getTime());
        expect(change.changedAt.getTime()).toBeLessThan(limit);
        expect(change.idempotencyKey).toBe('');
      }
    }
  });

  it('spreads the other accounts over every plan, mostly active, some canceled, with some history', () => {
    const rest = subscriptions.slice(4);
    const share = (predicate: (s: Subscription) => boolean) => rest.filter(predicate).length / rest.length;
    for (const planId of PLAN_IDS) expect(share((s) => s.planId === planId)).toBeGreaterThan(0.15);
    expect(share((s) => s.status === 'CANCELED')).toBeGreaterThan(0.05);
    expect(share((s) => s.status === 'CANCELED')).toBeLessThan(0.25);
    expect(share((s) => s.planChanges.length > 1)).toBeGreaterThan(0.25);
    // Some came back after a cancellation: an ACTIVE change right after a CANCELED one.
    expect(
      rest.some((s) =>
        s.planChanges.some((c, i) => i > 0 && c.status === 'ACTIVE' && s.planChanges[i - 1]!.status === 'CANCELED'),
      ),
    ).toBe(true);
  });
});

describe('seedBillingStore', () => {
  it('fills an empty store once; the fixtures are then served by Billing', async () => {
    const store = new InMemoryBillingStore();
    expect(await seedBillingStore(store)).toBe(true);
    expect(await seedBillingStore(store)).toBe(false);
    const billing = new Billing(store);
    expect(await billing.getSubscription('acct-0001')).toEqual(generateSubscriptions(1)[0]);
    expect(await billing.getSubscription('acct-1000')).toEqual(generateSubscriptions()[999]);
    expect((await billing.getEntitlement('acct-0004')).active).toBe(false);
    await expectRejects(billing.getSubscription('acct-1001'), NotFoundError, 'account "acct-1001" not found');
  });

  it('rejects an impossible count without touching the store', async () => {
    const store = new InMemoryBillingStore();
    await expectRejects(seedBillingStore(store, -5), RangeError);
    expect(await seedBillingStore(store, 3)).toBe(true);
    await expectRejects(store.getSubscription('acct-0004'), NotFoundError);
  });
});
