import { InvalidArgumentError } from '@streamplane/platform/errors';
import { paginate } from '@streamplane/platform/paging';
import { PLANS, entitlementOf, getPlan } from './plan';
import type { Entitlement, Plan, Subscription } from './plan';
import { withCanceled, withPlanChanged } from './rules';
import type { ApplyResult, BillingStore } from './store';

/**
 * The billing rules over a {@link BillingStore}:
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
 * Errors name the proto field (account_id, plan_id, idempotency_key, page_size, page_token) or the
 * missing resource ('account', 'plan').
 */

/** Longest idempotency key, in characters (the proto: 1 to 128 printable ASCII characters). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 128;
/** What a controller should use when a client leaves ListPlans' page_size unset. */
export const DEFAULT_PLAN_PAGE_SIZE = 20;
/** Largest ListPlans page_size. */
export const MAX_PLAN_PAGE_SIZE = 100;

export interface BillingOptions {
  /** The clock every change is stamped with. Default: the system clock. */
  now?: () => Date;
}

export interface ListPlansPageRequest {
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
  private readonly now: () => Date;

  constructor(
    private readonly store: BillingStore,
    options: BillingOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** Every plan, cheapest first. Plans are frozen and shared. */
  listPlans(): Plan[] {
    return [...PLANS];
  }

  /** One page of {@link listPlans}; page_size must be 1…100 (the controller maps "unset" to 20). */
  listPlansPage(request: ListPlansPageRequest): ListPlansPage {
    const { pageSize } = request;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PLAN_PAGE_SIZE) {
      throw new InvalidArgumentError('page_size', `must be between 1 and ${MAX_PLAN_PAGE_SIZE}, got ${pageSize}`);
    }
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
    return new Date(this.now().getTime());
  }
}

/**
 * '' (no key) or 1–128 printable ASCII characters (U+0020 to U+007E, space included, as in the usual
 * definition of "printable"). Throws InvalidArgumentError('idempotency_key', …).
 */
export function validateIdempotencyKey(key: string): void {
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new InvalidArgumentError(
      'idempotency_key',
      `must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, got ${key.length}`,
    );
  }
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) {
      const codePoint = key.codePointAt(i)!;
      throw new InvalidArgumentError(
        'idempotency_key',
        `must contain only printable ASCII characters (U+0020 to U+007E); found ` +
          `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')} at position ${i}`,
      );
    }
  }
}

function requireNonEmpty(field: string, value: string): void {
  if (value === '') throw new InvalidArgumentError(field, 'must not be empty');
}
