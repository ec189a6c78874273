import { FailedPreconditionError } from '@streamplane/platform/errors';
import type { Subscription } from './plan';

/**
 * The state transitions of a subscription, as pure functions of (current state, request, time). The
 * Billing application service runs them inside the store's atomic step; the seed builds its histories
 * with them, so seeded and live histories obey the same rules. Plan ids are assumed valid (checked by
 * the caller).
 */

/** A new ACTIVE subscription: one history entry, from no plan. */
export function newSubscription(accountId: string, planId: string, at: Date): Subscription {
  return {
    accountId,
    planId,
    status: 'ACTIVE',
    startedAt: at,
    planChanges: [{ fromPlanId: '', toPlanId: planId, status: 'ACTIVE', changedAt: at, idempotencyKey: '' }],
  };
}

/**
 * ChangePlan: another plan for an ACTIVE subscription, or reactivation of a CANCELED one on `planId`
 * (started_at reset, canceled_at dropped; the same plan as before is allowed). Already ACTIVE on
 * `planId` is FailedPreconditionError: the request would change nothing.
 */
export function withPlanChanged(current: Subscription, planId: string, at: Date, idempotencyKey: string): Subscription {
  if (current.status === 'ACTIVE' && current.planId === planId) {
    throw new FailedPreconditionError(`account "${current.accountId}" is already on plan "${planId}"`);
  }
  // Rebuilt rather than spread, so that canceled_at is absent after a reactivation.
  return {
    accountId: current.accountId,
    planId,
    status: 'ACTIVE',
    startedAt: current.status === 'CANCELED' ? at : current.startedAt,
    planChanges: [
      ...current.planChanges,
      { fromPlanId: current.planId, toPlanId: planId, status: 'ACTIVE', changedAt: at, idempotencyKey },
    ],
  };
}

/** CancelSubscription: effective immediately; the plan is kept as "the plan it had when canceled". */
export function withCanceled(current: Subscription, at: Date, idempotencyKey: string): Subscription {
  if (current.status === 'CANCELED') {
    throw new FailedPreconditionError(`subscription of account "${current.accountId}" is already canceled`);
  }
  return {
    ...current,
    status: 'CANCELED',
    canceledAt: at,
    planChanges: [
      ...current.planChanges,
      { fromPlanId: current.planId, toPlanId: current.planId, status: 'CANCELED', changedAt: at, idempotencyKey },
    ],
  };
}
