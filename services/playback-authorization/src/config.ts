import { z } from 'zod';
import { env, platformConfigSchema, withSecrets } from '@streamplane/platform';
import { redisUrl } from '@streamplane/platform/redis';
import { LOCAL_DEVELOPMENT_SECRET } from '@streamplane/streaming';

/**
 * Everything playback-authorization reads from its environment, validated at start. Its secrets (Kubernetes:
 * from a Secret): STREAMPLANE_AUTH_SECRET, the HS256 key of account tokens, and STREAMPLANE_CDN_SECRET, the
 * key of signed CDN URLs and license tokens, shared with steering and the fleet.
 */
export const playbackConfigSchema = withSecrets(
  platformConfigSchema.extend({
    /** A session ends this long after its grant or last heartbeat. */
    PLAYBACK_SESSION_TTL_SECONDS: env.int(1, 3600).default(60),
    /** Where sessions live, shared by every replica; unset: in this process's memory (one replica only). */
    REDIS_URL: redisUrl().optional(),
  }),
  {
    component: 'playback-authorization',
    variables: ['STREAMPLANE_AUTH_SECRET', 'STREAMPLANE_CDN_SECRET'],
    localDevelopmentSecret: LOCAL_DEVELOPMENT_SECRET,
  },
);

export type PlaybackConfig = z.infer<typeof playbackConfigSchema>;
