import { z } from 'zod';
import { env, platformConfigSchema, withSecrets } from '@streamplane/platform';
import { LOCAL_DEVELOPMENT_SECRET } from '@streamplane/streaming';
import { DEFAULT_FLEET_SIZE, DEFAULT_TITLE_COUNT, MAX_FLEET_SIZE, MAX_TITLE_COUNT, MIN_FLEET_SIZE } from './domain';

/**
 * Everything steering reads from its environment, validated at start. Its secret, STREAMPLANE_CDN_SECRET, is
 * the key of signed CDN URLs, shared with the fleet and playback-authorization (Kubernetes: from a Secret).
 */
export const steeringConfigSchema = withSecrets(
  platformConfigSchema.extend({
    /** Appliances in the seeded fleet. */
    STEERING_FLEET_SIZE: env.int(MIN_FLEET_SIZE, MAX_FLEET_SIZE).default(DEFAULT_FLEET_SIZE),
    /** Titles tt00001 … the fleet caches; must equal catalog's CATALOG_TITLE_COUNT. */
    STEERING_TITLE_COUNT: env.int(100, MAX_TITLE_COUNT).default(DEFAULT_TITLE_COUNT),
  }),
  { component: 'steering', variables: ['STREAMPLANE_CDN_SECRET'], localDevelopmentSecret: LOCAL_DEVELOPMENT_SECRET },
);

export type SteeringConfig = z.infer<typeof steeringConfigSchema>;
