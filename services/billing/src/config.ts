import { z } from 'zod';
import { env, platformConfigSchema } from '@streamplane/platform';
import { postgresUrl } from '@streamplane/platform/postgres';

/** Everything billing reads from its environment, validated at start. */
export const billingConfigSchema = platformConfigSchema.extend({
  /** How many seed accounts (acct-0001 …) get a subscription. */
  BILLING_SEED_ACCOUNTS: env.int(4, 9_999).default(1000),
  /** PostgreSQL for subscriptions (schema "billing", migrated and seeded at start); unset: in memory. */
  DATABASE_URL: postgresUrl().optional(),
});

export type BillingConfig = z.infer<typeof billingConfigSchema>;
