import { NotFoundError } from '@streamplane/platform/errors';

/**
 * The billing vocabulary: plans, subscriptions, their history and the entitlement derived from them.
 * Plain data, no transport: the gRPC controller maps these camelCase shapes to the snake_case proto
 * messages (`SubscriptionStatus` 'ACTIVE' ↔ SUBSCRIPTION_STATUS_ACTIVE, Dates ↔ Timestamps).
 */

export type PlanId = 'basic' | 'standard' | 'premium';

export interface Plan {
  planId: PlanId;
  /** Display name. */
  name: string;
  /** Concurrent playback sessions per account. */
  maxStreams: number;
  /** Highest rendition height in pixels. */
  maxResolutionHeight: number;
  hdrAllowed: boolean;
  /** Monthly price in the smallest unit of `currency` (cents). */
  monthlyPriceCents: number;
  /** ISO 4217 code. */
  currency: string;
}

export type SubscriptionStatus = 'ACTIVE' | 'CANCELED';

/** One change of plan or status; mirrors the proto's PlanChange. */
export interface PlanChange {
  /** Plan before the change; '' for the initial subscription. */
  fromPlanId: string;
  /** Plan after the change; for a cancellation, the plan that was canceled. */
  toPlanId: string;
  /** Status after the change. */
  status: SubscriptionStatus;
  changedAt: Date;
  /** Key of the request that made the change; '' when none was given (and for seed data). */
  idempotencyKey: string;
}

/**
 * The subscription of an account. Every known account has exactly one, so "unknown account" and "no
 * subscription" are the same thing.
 */
export interface Subscription {
  accountId: string;
  /** Current plan; for a canceled subscription, the plan it had when canceled. */
  planId: string;
  status: SubscriptionStatus;
  /** When the subscription, or its latest reactivation, started. */
  startedAt: Date;
  /** Set exactly when status is CANCELED (the property is absent, not undefined-valued, while ACTIVE). */
  canceledAt?: Date;
  /** Every change of plan or status, oldest first; the first entry is the initial subscription. */
  planChanges: PlanChange[];
}

/** What an account may stream right now. */
export interface Entitlement {
  accountId: string;
  active: boolean;
  /** The plan the entitlement derives from; for an inactive account, its last plan. */
  planId: string;
  /** 0 when inactive. */
  maxStreams: number;
  /** 0 when inactive. */
  maxResolutionHeight: number;
  /** false when inactive. */
  hdrAllowed: boolean;
}

/**
 * The plans of the design page, cheapest first (ListPlans returns them in this order). Prices are list
 * prices in USD; the service bills in one currency, so there is no per-country price table.
 */
export const PLANS: readonly Plan[] = Object.freeze(
  [
    {
      planId: 'basic',
      name: 'Basic',
      maxStreams: 1,
      maxResolutionHeight: 720,
      hdrAllowed: false,
      monthlyPriceCents: 799,
      currency: 'USD',
    },
    {
      planId: 'standard',
      name: 'Standard',
      maxStreams: 2,
      maxResolutionHeight: 1080,
      hdrAllowed: false,
      monthlyPriceCents: 1549,
      currency: 'USD',
    },
    {
      planId: 'premium',
      name: 'Premium',
      maxStreams: 4,
      maxResolutionHeight: 2160,
      hdrAllowed: true,
      monthlyPriceCents: 2299,
      currency: 'USD',
    },
  ].map((plan) => Object.freeze(plan as Plan)),
);

export const PLAN_IDS: readonly PlanId[] = Object.freeze(PLANS.map((plan) => plan.planId));

const PLANS_BY_ID: ReadonlyMap<string, Plan> = new Map(PLANS.map((plan) => [plan.planId, plan]));

/** The plan with this id (case-sensitive, like every id), or undefined. */
export function findPlan(planId: string): Plan | undefined {
  return PLANS_BY_ID.get(planId);
}

/** The plan with this id; NotFoundError('plan', id) when there is none. */
export function getPlan(planId: string): Plan {
  const plan = findPlan(planId);
  if (!plan) throw new NotFoundError('plan', planId);
  return plan;
}

/**
 * The entitlement a subscription grants. Not entitled (active false, no allowance) unless ACTIVE; an
 * inactive account still reports its last plan so clients can offer "resume on <plan>".
 */
export function entitlementOf(subscription: Subscription): Entitlement {
  if (subscription.status !== 'ACTIVE') {
    return {
      accountId: subscription.accountId,
      active: false,
      planId: subscription.planId,
      maxStreams: 0,
      maxResolutionHeight: 0,
      hdrAllowed: false,
    };
  }
  const plan = getPlan(subscription.planId);
  return {
    accountId: subscription.accountId,
    active: true,
    planId: plan.planId,
    maxStreams: plan.maxStreams,
    maxResolutionHeight: plan.maxResolutionHeight,
    hdrAllowed: plan.hdrAllowed,
  };
}

/** A deep copy: stores hand out copies so no caller can reach into their state (Dates are mutable). */
export function cloneSubscription(subscription: Subscription): Subscription {
  const copy: Subscription = {
    accountId: subscription.accountId,
    planId: subscription.planId,
    status: subscription.status,
    startedAt: new Date(subscription.startedAt.getTime()),
    planChanges: subscription.planChanges.map((change) => ({
      fromPlanId: change.fromPlanId,
      toPlanId: change.toPlanId,
      status: change.status,
      changedAt: new Date(change.changedAt.getTime()),
      idempotencyKey: change.idempotencyKey,
    })),
  };
  if (subscription.canceledAt !== undefined) copy.canceledAt = new Date(subscription.canceledAt.getTime());
  return copy;
}
