import { Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import { CLOCK, Logger, Readiness, SERVICE_CONFIG, type Clock } from '@streamplane/platform';
import type { OpenStore } from '@streamplane/platform/postgres';
import { openBillingStore } from './adapters/open-billing-store';
import { BillingController } from './api/billing.controller';
import { Billing } from './application/billing';
import type { BillingStore } from './application/billing-store';

const BILLING_STORE = Symbol('BILLING_STORE');

@Module({
  controllers: [BillingController],
  providers: [
    { provide: BILLING_STORE, useFactory: openBillingStore, inject: [SERVICE_CONFIG, Readiness, Logger, CLOCK] },
    {
      provide: Billing,
      useFactory: (opened: OpenStore<BillingStore>, clock: Clock) => new Billing(opened.store, { clock }),
      inject: [BILLING_STORE, CLOCK],
    },
  ],
})
export class BillingModule implements OnModuleDestroy {
  constructor(@Inject(BILLING_STORE) private readonly opened: OpenStore<BillingStore>) {}

  async onModuleDestroy(): Promise<void> {
    await this.opened.close();
  }
}
