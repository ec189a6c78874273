import { z } from 'zod';
import { env, platformConfigSchema } from '@streamplane/platform';
import { postgresUrl } from '@streamplane/platform/postgres';

/** Everything profiles reads from its environment, validated at start. */
export const profilesConfigSchema = platformConfigSchema.extend({
  /** How many seed accounts (acct-0001 …) get profiles. */
  PROFILES_SEED_ACCOUNTS: env.int(4, 9_999).default(1000),
  /** Titles whose runtime is kept after one catalog lookup; runtimes never change. */
  PROFILES_TITLE_CACHE_SIZE: env.int(0, 1_000_000).default(10_000),
  /** PostgreSQL for profiles and history (schema "profiles", migrated and seeded at start); unset: in memory. */
  DATABASE_URL: postgresUrl().optional(),
});

export type ProfilesConfig = z.infer<typeof profilesConfigSchema>;
