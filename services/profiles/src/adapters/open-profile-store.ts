import type { Logger, Readiness } from '@streamplane/platform';
import { openPostgresStore, type OpenStore } from '@streamplane/platform/postgres';
import type { ProfilesConfig } from '../config';
import { generateSeedAccounts, seedProfiles, type ProfileStore } from '../domain';
import { InMemoryProfileStore } from './in-memory-profile-store';
import { PostgresProfileStore, PROFILES_MIGRATIONS, PROFILES_SCHEMA } from './postgres-profile-store';

/** PostgreSQL when DATABASE_URL is set, otherwise in memory; seeded when empty either way. */
export async function openProfileStore(
  config: ProfilesConfig,
  readiness: Readiness,
  logger: Logger,
): Promise<OpenStore<ProfileStore>> {
  const accounts = config.PROFILES_SEED_ACCOUNTS;
  if (!config.DATABASE_URL) {
    const store = new InMemoryProfileStore();
    await seedProfiles(store, accounts);
    return { store, close: async () => undefined };
  }
  return openPostgresStore({
    url: config.DATABASE_URL,
    schema: PROFILES_SCHEMA,
    migrations: PROFILES_MIGRATIONS,
    readiness,
    logger,
    createStore: (pool) => new PostgresProfileStore(pool),
    prepare: async (store) => {
      const inserted = await store.seedIfEmpty(generateSeedAccounts(accounts));
      logger.info('seed', { inserted, accounts });
    },
  });
}
