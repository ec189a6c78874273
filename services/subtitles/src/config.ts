import { z } from 'zod';
import { env, platformConfigSchema } from '@streamplane/platform';

/** Everything subtitles reads from its environment, validated at start. */
export const subtitlesConfigSchema = platformConfigSchema.extend({
  /** Titles whose facts (name, runtime) are kept after one catalog lookup; they never change. */
  SUBTITLES_TITLE_CACHE_SIZE: env.int(0, 1_000_000).default(10_000),
});

export type SubtitlesConfig = z.infer<typeof subtitlesConfigSchema>;
