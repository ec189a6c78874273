import { z } from 'zod';
import { env, platformConfigSchema } from '@streamplane/platform';

/** Everything recommendations reads from its environment, validated at start. */
export const recommendationsConfigSchema = platformConfigSchema.extend({
  /**
   * Time between reloads of the catalog snapshot once one has loaded. Titles never change, so this only
   * picks up a redeployed catalog; it does not need to be short.
   */
  RECOMMENDATIONS_SNAPSHOT_REFRESH_MS: env.int(1_000, 86_400_000).default(900_000),
  /** Backoff between failed snapshot loads: full jitter, growing from this base … */
  RECOMMENDATIONS_SNAPSHOT_RETRY_BASE_MS: env.int(1, 60_000).default(250),
  /** … up to this cap, for as long as catalog cannot be reached. */
  RECOMMENDATIONS_SNAPSHOT_RETRY_CAP_MS: env.int(1, 600_000).default(30_000),
});

export type RecommendationsConfig = z.infer<typeof recommendationsConfigSchema>;
