import { z } from 'zod';
import { env, platformConfigSchema } from '@streamplane/platform';

/** Everything catalog reads from its environment, validated at start. */
export const catalogConfigSchema = platformConfigSchema.extend({
  /** How many titles the deterministic seed generates. */
  CATALOG_TITLE_COUNT: env.int(100, 100_000).default(2000),
});

export type CatalogConfig = z.infer<typeof catalogConfigSchema>;
