import { Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import { Logger, Readiness, SERVICE_CONFIG } from '@streamplane/platform';
import { openPostgresStore, type OpenStore } from '@streamplane/platform/postgres';
import { BillingController } from './billing.controller';
import type { BillingConfig } from './config';
import { Billing, InMemoryBillingStore, seedBillingStore, type BillingStore } from './domain';
import { BILLING_MIGRATIONS, BILLING_SCHEMA, PostgresBillingStore } from './postgres-store';

const BILLING_STORE = Symbol('BILLING_STORE');

/** PostgreSQL when DATABASE_URL is set, otherwise in memory; seeded when empty either way. */
async function openBillingStore(
  config: BillingConfig,
  readiness: Readiness,
  logger: Logger,
): Promise<OpenStore<BillingStore>> {
  const seed = async (store: BillingStore) => {
    const inserted = await seedBillingStore(store, config.BILLING_SEED_ACCOUNTS);
    logger.info('seed', { inserted, accounts: config.BILLING_SEED_ACCOUNTS });
  };
  if (!config.DATABASE_URL) {
    const store = new InMemoryBillingStore();
    await seed(store);
    return { store, close: async () => undefined };
  }
  return openPostgresStore({
    url: config.DATABASE_URL,
    schema: BILLING_SCHEMA,
    migrations: BILLING_MIGRATIONS,
    readiness,
    logger,
    createStore: (pool) => new PostgresBillingStore(pool),
    prepare: seed,
  });
}

@Module({
  controllers: [BillingController],
  providers: [
    { provide: BILLING_STORE, useFactory: openBillingStore, inject: [SERVICE_CONFIG, Readiness, Logger] },
    {
      provide: Billing,
      useFactory: (opened: OpenStore<BillingStore>) => new Billing(opened.store),
      inject: [BILLING_STORE],
    },
  ],
})
export class BillingModule implements OnModuleDestroy {
  constructor(@Inject(BILLING_STORE) private readonly opened: OpenStore<BillingStore>) {}

  async onModuleDestroy(): Promise<void> {
    await this.opened.close();
  }
}
