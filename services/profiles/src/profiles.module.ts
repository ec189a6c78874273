import { Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import { Logger, Readiness, SERVICE_CONFIG } from '@streamplane/platform';
import { openPostgresStore, type OpenStore } from '@streamplane/platform/postgres';
import type { ProfilesConfig } from './config';
import { generateSeedAccounts, InMemoryProfileStore, ProfilesDomain, seedProfiles, type ProfileStore } from './domain';
import { PostgresProfileStore, PROFILES_MIGRATIONS, PROFILES_SCHEMA } from './postgres-store';
import { ProfilesController } from './profiles.controller';
import { TitleRuntimes } from './title-runtimes';

const PROFILE_STORE = Symbol('PROFILE_STORE');

/** PostgreSQL when DATABASE_URL is set, otherwise in memory; seeded when empty either way. */
async function openProfileStore(
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

@Module({
  controllers: [ProfilesController],
  providers: [
    TitleRuntimes,
    { provide: PROFILE_STORE, useFactory: openProfileStore, inject: [SERVICE_CONFIG, Readiness, Logger] },
    {
      provide: ProfilesDomain,
      useFactory: (opened: OpenStore<ProfileStore>) => new ProfilesDomain(opened.store),
      inject: [PROFILE_STORE],
    },
  ],
})
export class ProfilesModule implements OnModuleDestroy {
  constructor(@Inject(PROFILE_STORE) private readonly opened: OpenStore<ProfileStore>) {}

  async onModuleDestroy(): Promise<void> {
    await this.opened.close();
  }
}
