import type { Clock, Logger, Readiness } from '@streamplane/platform';
import { openPostgresStore, type OpenStore } from '@streamplane/platform/postgres';
import type { BillingStore } from '../application/billing-store';
import { seedBillingStore } from '../application/seed-billing-store';
import type { BillingConfig } from '../config';
import { InMemoryBillingStore } from './in-memory-billing-store';
import { BILLING_MIGRATIONS, BILLING_SCHEMA, PostgresBillingStore } from './postgres-billing-store';

/** PostgreSQL when DATABASE_URL is set, otherwise in memory; seeded when empty either way. */
export async function openBillingStore(
  config: BillingConfig,
  readiness: Readiness,
  logger: Logger,
  clock: Clock,
): Promise<OpenStore<BillingStore>> {
  const seed = async (store: BillingStore) => {
    const inserted = await seedBillingStore(store, config.BILLING_SEED_ACCOUNTS);
    logger.info('seed', { inserted, accounts: config.BILLING_SEED_ACCOUNTS });
  };
  if (!config.DATABASE_URL) {
    const store = new InMemoryBillingStore({ clock });
    await seed(store);
    return { store, close: async () => undefined };
  }
  return openPostgresStore({
    url: config.DATABASE_URL,
    schema: BILLING_SCHEMA,
    migrations: BILLING_MIGRATIONS,
    readiness,
    logger,
    createStore: (pool) => new PostgresBillingStore(pool, { clock, logger }),
    prepare: seed,
  });
}
