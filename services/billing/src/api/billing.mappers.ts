import { toTimestamp } from '@streamplane/platform';
import type {
  Entitlement__Input,
  ListPlansResponse__Input,
  Plan__Input,
  PlanChange__Input,
  Subscription__Input,
} from '@streamplane/contracts/billing/v1';
import type { ListPlansPage, MutationResult } from '../application/billing';
import type { Entitlement, Plan, PlanChange, Subscription } from '../domain';

/** Mapping from billing domain objects to streamplane.billing.v1 messages. */
export function toPlanMessage(plan: Plan): Plan__Input {
  return {
    plan_id: plan.planId,
    name: plan.name,
    max_streams: plan.maxStreams,
    max_resolution_height: plan.maxResolutionHeight,
    hdr_allowed: plan.hdrAllowed,
    monthly_price_cents: plan.monthlyPriceCents,
    currency: plan.currency,
  };
}

function toPlanChangeMessage(change: PlanChange): PlanChange__Input {
  return {
    from_plan_id: change.fromPlanId,
    to_plan_id: change.toPlanId,
    status: `SUBSCRIPTION_STATUS_${change.status}`,
    changed_at: toTimestamp(change.changedAt),
    idempotency_key: change.idempotencyKey,
  };
}

export function toSubscriptionMessage(subscription: Subscription): Subscription__Input {
  return {
    account_id: subscription.accountId,
    plan_id: subscription.planId,
    status: `SUBSCRIPTION_STATUS_${subscription.status}`,
    started_at: toTimestamp(subscription.startedAt),
    canceled_at: subscription.canceledAt ? toTimestamp(subscription.canceledAt) : null,
    plan_changes: subscription.planChanges.map(toPlanChangeMessage),
  };
}

export function toEntitlementMessage(entitlement: Entitlement): Entitlement__Input {
  return {
    account_id: entitlement.accountId,
    active: entitlement.active,
    plan_id: entitlement.planId,
    max_streams: entitlement.maxStreams,
    max_resolution_height: entitlement.maxResolutionHeight,
    hdr_allowed: entitlement.hdrAllowed,
  };
}

export function toListPlansMessage(page: ListPlansPage): ListPlansResponse__Input {
  return { plans: page.plans.map(toPlanMessage), next_page_token: page.nextPageToken };
}

/** The response of ChangePlan and CancelSubscription: the subscription after the change (or the replay). */
export function toMutationMessage(result: MutationResult): { subscription: Subscription__Input } {
  return { subscription: toSubscriptionMessage(result.subscription) };
}
