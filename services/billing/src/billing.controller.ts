import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { optionalText, pageSize, requireId } from '@streamplane/platform';
import type {
  CancelSubscriptionRequest,
  CancelSubscriptionResponse__Input,
  ChangePlanRequest,
  ChangePlanResponse__Input,
  Entitlement__Input,
  GetEntitlementRequest,
  GetSubscriptionRequest,
  ListPlansRequest,
  ListPlansResponse__Input,
  Subscription__Input,
} from '@streamplane/contracts/billing/v1';
import { toEntitlementMessage, toPlanMessage, toSubscriptionMessage } from './billing.messages';
import { Billing, DEFAULT_PLAN_PAGE_SIZE, MAX_PLAN_PAGE_SIZE } from './domain';

/** streamplane.billing.v1.BillingService: validates each request, asks the domain, maps the answer. */
@Controller()
export class BillingController {
  constructor(private readonly billing: Billing) {}

  @GrpcMethod('BillingService', 'ListPlans')
  listPlans(request: ListPlansRequest): ListPlansResponse__Input {
    const page = this.billing.listPlansPage({
      pageSize: pageSize(request.page_size, 'page_size', {
        defaultSize: DEFAULT_PLAN_PAGE_SIZE,
        max: MAX_PLAN_PAGE_SIZE,
      }),
      pageToken: optionalText(request.page_token, 'page_token', 1024),
    });
    return { plans: page.plans.map(toPlanMessage), next_page_token: page.nextPageToken };
  }

  @GrpcMethod('BillingService', 'GetSubscription')
  async getSubscription(request: GetSubscriptionRequest): Promise<Subscription__Input> {
    return toSubscriptionMessage(await this.billing.getSubscription(requireId(request.account_id, 'account_id')));
  }

  @GrpcMethod('BillingService', 'GetEntitlement')
  async getEntitlement(request: GetEntitlementRequest): Promise<Entitlement__Input> {
    return toEntitlementMessage(await this.billing.getEntitlement(requireId(request.account_id, 'account_id')));
  }

  @GrpcMethod('BillingService', 'ChangePlan')
  async changePlan(request: ChangePlanRequest): Promise<ChangePlanResponse__Input> {
    const { subscription } = await this.billing.changePlan(
      requireId(request.account_id, 'account_id'),
      requireId(request.plan_id, 'plan_id'),
      request.idempotency_key,
    );
    return { subscription: toSubscriptionMessage(subscription) };
  }

  @GrpcMethod('BillingService', 'CancelSubscription')
  async cancelSubscription(request: CancelSubscriptionRequest): Promise<CancelSubscriptionResponse__Input> {
    const { subscription } = await this.billing.cancelSubscription(
      requireId(request.account_id, 'account_id'),
      request.idempotency_key,
    );
    return { subscription: toSubscriptionMessage(subscription) };
  }
}
