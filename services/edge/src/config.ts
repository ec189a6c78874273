import { z } from 'zod';
import { EDGE } from '@streamplane/contracts';
import { env, platformConfigSchema, withSecrets } from '@streamplane/platform';
import { isApplianceId, LOCAL_DEVELOPMENT_SECRET, NETWORK_REGIONS, ORIGIN_APPLIANCE_ID } from '@streamplane/streaming';
import { FillWindow } from './domain';

const applianceIds = z
  .string()
  .trim()
  .transform((text, context) => {
    if (text === 'all') return 'all' as const;
    const ids = text.split(',').map((id) => id.trim());
    const bad = ids.find((id) => !isApplianceId(id));
    if (bad !== undefined) {
      context.addIssue({
        code: 'custom',
        message: `expected "all" or appliance ids separated by commas; "${bad}" is none`,
      });
      return z.NEVER;
    }
    return new Set([...ids, ORIGIN_APPLIANCE_ID]);
  });

const regionNames = NETWORK_REGIONS.map((region) => region.name) as [string, ...string[]];

/**
 * Everything the edge reads from its environment, validated at start (a bad variable exits 78 naming
 * it). The platform's variables come along for discovery, logging and shutdown; its gRPC ones are unused.
 * Its secret, STREAMPLANE_CDN_SECRET, is the key of signed CDN URLs, shared with steering and
 * playback-authorization (Kubernetes: from a Secret).
 */
export const edgeConfigSchema = withSecrets(
  platformConfigSchema.extend({
    HTTP_HOST: z.string().trim().min(1).default('0.0.0.0'),
    /** HTTP/1.1 and h2c on one port; 0 picks a free one. */
    HTTP_PORT: env.port().default(EDGE.httpPort),
    /** The appliances this process answers for: `all` (local), or ids separated by commas; the origin always. */
    EDGE_APPLIANCE_IDS: applianceIds.default(() => 'all' as const),
    /** Bytes the segment cache holds before it evicts (least recently used first). */
    EDGE_CACHE_BYTES: env.int(1_000_000, 1e15).default(50_000_000_000),
    /** Titles whose runtime and ladder are kept after one catalog lookup. */
    EDGE_TITLE_CACHE_SIZE: env.int(0, 1_000_000).default(10_000),
    /** What a miss costs: the origin's round trip, then the segment at the origin link's bandwidth. */
    EDGE_ORIGIN_LATENCY_MS: env.int(0, 60_000).default(40),
    EDGE_ORIGIN_BANDWIDTH_MBPS: env.int(1, 1_000_000).default(1_000),
    /** `Cache-Control: public, max-age=…, immutable` of segments (a year: a segment never changes). */
    EDGE_SEGMENT_MAX_AGE_SECONDS: env.int(0, 31_536_000).default(31_536_000),
    /** The region `POST /admin/fill` plans for when it names none. */
    EDGE_FILL_REGION: env.oneOf(regionNames).optional(),
    /** When proactive fill may run, HH:MM-HH:MM in EDGE_FILL_TIME_ZONE (Open Connect: 02:00-14:00 local). */
    EDGE_FILL_WINDOW: z.string().default('00:00-24:00'),
    EDGE_FILL_TIME_ZONE: z.string().default('UTC'),
    /** The fill's bandwidth cap from the origin. */
    EDGE_FILL_BANDWIDTH_MBPS: env.int(1, 1_000_000).default(2_000),
    /** Leading segments of every rendition a fill copies per planned title (15: the first minute). */
    EDGE_FILL_SEGMENTS_PER_RENDITION: env.int(1, 100_000).default(15),
    /** How many of the region's most demanded titles steering's PlanFill considers (its own default: 500). */
    EDGE_FILL_MAX_TITLES: env.int(1, 2_000).default(500),
  }),
  { component: EDGE.name, variables: ['STREAMPLANE_CDN_SECRET'], localDevelopmentSecret: LOCAL_DEVELOPMENT_SECRET },
).transform((config, context) => {
  const window = FillWindow.parse(config.EDGE_FILL_WINDOW, config.EDGE_FILL_TIME_ZONE);
  if ('problem' in window) {
    context.addIssue({ code: 'custom', path: ['EDGE_FILL_WINDOW'], message: window.problem });
    return z.NEVER;
  }
  return { ...config, fillWindow: window };
});

export type EdgeConfig = z.infer<typeof edgeConfigSchema>;
