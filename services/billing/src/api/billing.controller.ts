import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
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
import { Billing } from '../application/billing';
import { toEntitlementMessage, toListPlansMessage, toMutationMessage, toSubscriptionMessage } from './billing.mappers';
import { accountIdOf, cancellationOf, planChangeOf, plansPageOf } from './billing.validation';

/** streamplane.billing.v1.BillingService: validates each request, asks billing, maps the answer. */
@Controller()
export class BillingController {
  constructor(private readonly billing: Billing) {}

  @GrpcMethod('BillingService', 'ListPlans')
  listPlans(request: ListPlansRequest): ListPlansResponse__Input {
    return toListPlansMessage(this.billing.listPlansPage(plansPageOf(request)));
  }

  @GrpcMethod('BillingService', 'GetSubscription')
  async getSubscription(request: GetSubscriptionRequest): Promise<Subscription__Input> {
    return toSubscriptionMessage(await this.billing.getSubscription(accountIdOf(request)));
  }

  @GrpcMethod('BillingService', 'GetEntitlement')
  async getEntitlement(request: GetEntitlementRequest): Promise<Entitlement__Input> {
    return toEntitlementMessage(await this.billing.getEntitlement(accountIdOf(request)));
  }

  @GrpcMethod('BillingService', 'ChangePlan')
  async changePlan(request: ChangePlanRequest): Promise<ChangePlanResponse__Input> {
    const { accountId, planId, idempotencyKey } = planChangeOf(request);
    return toMutationMessage(await this.billing.changePlan(accountId, planId, idempotencyKey));
  }

  @GrpcMethod('BillingService', 'CancelSubscription')
  async cancelSubscription(request: CancelSubscriptionRequest): Promise<CancelSubscriptionResponse__Input> {
    const { accountId, idempotencyKey } = cancellationOf(request);
    return toMutationMessage(await this.billing.cancelSubscription(accountId, idempotencyKey));
  }
}
