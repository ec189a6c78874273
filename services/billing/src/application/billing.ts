import { systemClock, type Clock } from '@streamplane/platform/clock';
import { InvalidArgumentError } from '@streamplane/platform/errors';
import { paginate } from '@streamplane/platform/paging';
import {
  PLANS,
  entitlementOf,
  getPlan,
  validateIdempotencyKey,
  withCanceled,
  withPlanChanged,
  type Entitlement,
  type Plan,
  type Subscription,
} from '../domain';
import type { ApplyResult, BillingStore } from './billing-store';

/**
 * Billing's use cases over a {@link BillingStore}:
 *
 * - ChangePlan moves an ACTIVE subscription to another plan, or reactivates a CANCELED one on the given
 *   plan (started_at reset, canceled_at cleared); asking for the plan an ACTIVE subscription already has
 *   is FAILED_PRECONDITION rather than a silent no-op, so a client learns its request changed nothing.
 * - CancelSubscription cancels an ACTIVE subscription; canceling twice is FAILED_PRECONDITION.
 * - Every effective change appends one PlanChange (oldest first), carrying the request's key.
 * - Idempotency keys (1–128 printable ASCII, '' = none) are scoped to (RPC, account) and handled by the
 *   store in the same atomic step as the change; see BillingStore.applyIdempotent for the replay,
 *   conflict and "a refused request does not use up its key" semantics.
 * - Validation order: account_id, plan_id, idempotency_key, then the plan (NOT_FOUND), then the store
 *   (key replay or conflict, unknown account, the rule). Malformed input never touches the store.
 * - Time comes only from the injected clock, read when the change is applied.
 *
 * Errors name the proto field (account_id, plan_id, idempotency_key, page_token) or the missing resource
 * ('account', 'plan'). Page sizes arrive bounded by the api (api/billing.validation.ts).
 */

export interface BillingOptions {
  /** The clock every change is stamped with. Default: the system clock. */
  clock?: Clock;
}

export interface ListPlansPageRequest {
  /** A whole number of at least 1, already bounded by the api. */
  pageSize: number;
  /** '' for the first page. */
  pageToken: string;
}

export interface ListPlansPage {
  plans: Plan[];
  /** '' on the last page. */
  nextPageToken: string;
}

export type MutationResult = ApplyResult;

export class Billing {
  private readonly clock: Clock;

  constructor(
    private readonly store: BillingStore,
    options: BillingOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** Every plan, cheapest first. Plans are frozen and shared. */
  listPlans(): Plan[] {
    return [...PLANS];
  }

  /** One page of {@link listPlans}. */
  listPlansPage(request: ListPlansPageRequest): ListPlansPage {
    const page = paginate(PLANS, request, 'plans');
    return { plans: page.items, nextPageToken: page.nextPageToken };
  }

  async getSubscription(accountId: string): Promise<Subscription> {
    requireNonEmpty('account_id', accountId);
    return this.store.getSubscription(accountId);
  }

  /** Not an error for a canceled account: it is returned inactive, with no allowance. */
  async getEntitlement(accountId: string): Promise<Entitlement> {
    return entitlementOf(await this.getSubscription(accountId));
  }

  /** Moves the account to `planId` (or reactivates it on that plan); see the module comment. */
  async changePlan(accountId: string, planId: string, idempotencyKey: string): Promise<MutationResult> {
    requireNonEmpty('account_id', accountId);
    requireNonEmpty('plan_id', planId);
    validateIdempotencyKey(idempotencyKey);
    const plan = getPlan(planId);

    return this.store.applyIdempotent(
      { operation: 'ChangePlan', accountId, idempotencyKey },
      `plan_id=${JSON.stringify(plan.planId)}`,
      (current) => withPlanChanged(current, plan.planId, this.stamp(), idempotencyKey),
    );
  }

  /** Cancels the account's subscription, effective immediately. */
  async cancelSubscription(accountId: string, idempotencyKey: string): Promise<MutationResult> {
    requireNonEmpty('account_id', accountId);
    validateIdempotencyKey(idempotencyKey);

    // CancelSubscription has no fields beyond the scope, so every use of a key is "the same request".
    return this.store.applyIdempotent({ operation: 'CancelSubscription', accountId, idempotencyKey }, '', (current) =>
      withCanceled(current, this.stamp(), idempotencyKey),
    );
  }

  /** A fresh Date from the clock: a clock that returns one shared Date must not alias stored state. */
  private stamp(): Date {
    return new Date(this.clock.now().getTime());
  }
}

/**
 * The ids are the api's to check (requireId); this guard keeps a caller that bypasses the api (a tool, a
 * test) from reaching the store with no account at all.
 */
function requireNonEmpty(field: string, value: string): void {
  if (value === '') throw new InvalidArgumentError(field, 'must not be empty');
}
