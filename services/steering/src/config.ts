import { z } from 'zod';
import { env, platformConfigSchema } from '@streamplane/platform';
import { DEFAULT_FLEET_SIZE, DEFAULT_TITLE_COUNT, MAX_FLEET_SIZE, MAX_TITLE_COUNT, MIN_FLEET_SIZE } from './domain';

/** The CDN key of an unconfigured local run (playback-authorization's default too); never use it elsewhere. */
export const LOCAL_DEVELOPMENT_CDN_SECRET = 'streamplane-local-development-only';

/** Everything steering reads from its environment, validated at start. */
export const steeringConfigSchema = platformConfigSchema.extend({
  /** Appliances in the seeded fleet. */
  STEERING_FLEET_SIZE: env.int(MIN_FLEET_SIZE, MAX_FLEET_SIZE).default(DEFAULT_FLEET_SIZE),
  /** Titles tt00001 … the fleet caches; must equal catalog's CATALOG_TITLE_COUNT. */
  STEERING_TITLE_COUNT: env.int(100, MAX_TITLE_COUNT).default(DEFAULT_TITLE_COUNT),
  /** Key of signed CDN URLs, shared with the fleet and playback-authorization (Kubernetes: from a Secret). */
  STREAMPLANE_CDN_SECRET: z.string().min(16, 'must be at least 16 characters').default(LOCAL_DEVELOPMENT_CDN_SECRET),
});

export type SteeringConfig = z.infer<typeof steeringConfigSchema>;
