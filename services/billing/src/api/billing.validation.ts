import { optionalText, pageSize, requireId } from '@streamplane/platform';
import type {
  CancelSubscriptionRequest,
  ChangePlanRequest,
  GetEntitlementRequest,
  GetSubscriptionRequest,
  ListPlansRequest,
} from '@streamplane/contracts/billing/v1';
import type { ListPlansPageRequest } from '../application/billing';

/**
 * Every check of a billing request's fields that the api makes, once, where the request arrives; errors
 * name the proto field. The idempotency key is passed on as sent: its format is a domain rule
 * (validateIdempotencyKey), checked by the use cases in the documented order.
 */

/** ListPlans' page_size: unset means 20, at most 100. */
export const DEFAULT_PLAN_PAGE_SIZE = 20;
export const MAX_PLAN_PAGE_SIZE = 100;
const MAX_PAGE_TOKEN_LENGTH = 1024;

export interface PlanChangeRequest {
  accountId: string;
  planId: string;
  idempotencyKey: string;
}

export interface CancellationRequest {
  accountId: string;
  idempotencyKey: string;
}

export function plansPageOf(request: ListPlansRequest): ListPlansPageRequest {
  return {
    pageSize: pageSize(request.page_size, 'page_size', {
      defaultSize: DEFAULT_PLAN_PAGE_SIZE,
      max: MAX_PLAN_PAGE_SIZE,
    }),
    pageToken: optionalText(request.page_token, 'page_token', MAX_PAGE_TOKEN_LENGTH),
  };
}

export function accountIdOf(request: GetSubscriptionRequest | GetEntitlementRequest): string {
  return requireId(request.account_id, 'account_id');
}

export function planChangeOf(request: ChangePlanRequest): PlanChangeRequest {
  return {
    accountId: requireId(request.account_id, 'account_id'),
    planId: requireId(request.plan_id, 'plan_id'),
    idempotencyKey: request.idempotency_key,
  };
}

export function cancellationOf(request: CancelSubscriptionRequest): CancellationRequest {
  return { accountId: requireId(request.account_id, 'account_id'), idempotencyKey: request.idempotency_key };
}
