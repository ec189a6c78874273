import { Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '../../../libs/platform/src';
import { BillingController } from './billing.controller';
import type { BillingConfig } from './config';
import { Billing, InMemoryBillingStore, seedBillingStore } from './domain';

@Module({
  controllers: [BillingController],
  providers: [
    {
      provide: Billing,
      useFactory: async (config: BillingConfig) => {
        const store = new InMemoryBillingStore();
        await seedBillingStore(store, config.BILLING_SEED_ACCOUNTS);
        return new Billing(store);
      },
      inject: [SERVICE_CONFIG],
    },
  ],
})
export class BillingModule {}
