import { z } from 'zod';
import { env, platformConfigSchema } from '@streamplane/platform';
import { redisUrl } from '@streamplane/platform/redis';
import { LOCAL_DEVELOPMENT_SECRET } from '@streamplane/streaming';

/** Everything playback-authorization reads from its environment, validated at start. */
export const playbackConfigSchema = platformConfigSchema.extend({
  /** HS256 key of account tokens (Kubernetes: from a Secret). */
  STREAMPLANE_AUTH_SECRET: z.string().min(16, 'must be at least 16 characters').default(LOCAL_DEVELOPMENT_SECRET),
  /** Key of signed CDN URLs and license tokens, shared with steering and the fleet. */
  STREAMPLANE_CDN_SECRET: z.string().min(16, 'must be at least 16 characters').default(LOCAL_DEVELOPMENT_SECRET),
  /** A session ends this long after its grant or last heartbeat. */
  PLAYBACK_SESSION_TTL_SECONDS: env.int(1, 3600).default(60),
  /** Where sessions live, shared by every replica; unset: in this process's memory (one replica only). */
  REDIS_URL: redisUrl().optional(),
});

export type PlaybackConfig = z.infer<typeof playbackConfigSchema>;
