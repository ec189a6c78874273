import { PLAN_IDS } from '../src/domain';
import type { Subscription } from '../src/domain';

export { ManualClock, expectRejects, expectThrows } from '@streamplane/testkit';

export const HOUR_MS = 60 * 60 * 1000;

/**
 * Asserts the invariants every subscription keeps, seeded or changed through the API: the history
 * starts with the initial subscription, entries chain (each starts from the previous plan), time never
 * goes back, the last entry is the current state, started_at is the latest (re)activation and
 * canceled_at is set exactly while canceled.
 */
export function expectConsistent(subscription: Subscription): void {
  const changes = subscription.planChanges;
  expect(PLAN_IDS).toContain(subscription.planId);
  expect(changes.length).toBeGreaterThan(0);
  expect(changes[0]!.fromPlanId).toBe('');
  expect(changes[0]!.status).toBe('ACTIVE');
  let startedAt = changes[0]!.changedAt;
  for (let i = 1; i < changes.length; i++) {
    const previous = changes[i - 1]!;
    const change = changes[i]!;
    expect(PLAN_IDS).toContain(change.toPlanId);
    expect(change.fromPlanId).toBe(previous.toPlanId);
    expect(change.changedAt.getTime()).toBeGreaterThanOrEqual(previous.changedAt.getTime());
    if (change.status === 'CANCELED') {
      expect(previous.status).toBe('ACTIVE');
      expect(change.toPlanId).toBe(change.fromPlanId);
    } else if (previous.status === 'ACTIVE') {
      expect(change.toPlanId).not.toBe(change.fromPlanId);
    } else {
      startedAt = change.changedAt;
    }
  }
  const last = changes[changes.length - 1]!;
  expect(last.toPlanId).toBe(subscription.planId);
  expect(last.status).toBe(subscription.status);
  expect(subscription.startedAt).toEqual(startedAt);
  if (subscription.status === 'CANCELED') {
    expect(subscription.canceledAt).toEqual(last.changedAt);
  } else {
    expect('canceledAt' in subscription).toBe(false);
  }
}
