import { z } from 'zod';
import { env } from '@streamplane/platform';
import { isKnownTimeZone } from './work-calendar';

/**
 * The Kubernetes Chaos Monkey's one configuration, from environment variables (the chart sets them from
 * its `chaosMonkey` values), validated once at start: a bad value stops it with a message naming the
 * variable, before it talks to the API server. Defaults are Netflix Chaos Monkey's.
 */

const flag = (fallback: 'true' | 'false') =>
  env
    .oneOf(['true', 'false'])
    .default(fallback)
    .transform((value) => value === 'true');

export const chaosMonkeyConfigSchema = z
  .object({
    /** Dry run: every decision is made and reported, nothing is killed. */
    CHAOS_MONKEY_LEASHED: flag('true'),
    /** μ: each work day a group is chosen with p = 1/μ. */
    CHAOS_MONKEY_MEAN_TIME_BETWEEN_KILLS_IN_WORK_DAYS: z.coerce
      .number({ error: 'expected a number of work days, at least 1' })
      .min(1, 'expected a number of work days, at least 1 (at most one kill a day)')
      .max(10_000, 'expected at most 10000 work days')
      .default(2),
    /** ɛ: never two kills of a group closer than this many work days. */
    CHAOS_MONKEY_MIN_TIME_BETWEEN_KILLS_IN_WORK_DAYS: env.int(0, 10_000).default(1),
    CHAOS_MONKEY_START_HOUR: env.int(0, 23).default(9),
    CHAOS_MONKEY_END_HOUR: env.int(1, 24).default(15),
    CHAOS_MONKEY_TIME_ZONE: z
      .string()
      .trim()
      .refine(isKnownTimeZone, 'expected an IANA time zone such as America/Los_Angeles')
      .default('America/Los_Angeles'),
    /** `evict` (the Eviction API, PodDisruptionBudgets hold) or `delete`. */
    CHAOS_MONKEY_MODE: env.oneOf(['evict', 'delete']).default('evict'),
    /** The namespace it works in (the chart passes its own); unset: the kubeconfig context's. */
    CHAOS_MONKEY_NAMESPACE: env.nonEmpty().optional(),
    /**
     * host:port of each service whose gRPC health is part of the outage check, comma-separated (the chart:
     * every service); one that does not answer SERVING holds every kill.
     */
    CHAOS_MONKEY_HEALTH_TARGETS: z
      .string()
      .default('')
      .transform((text) =>
        text
          .split(',')
          .map((part) => part.trim())
          .filter(Boolean),
      )
      .pipe(z.array(env.hostPort())),
    /** The /metrics and /healthz port. */
    METRICS_PORT: env.port().default(9460),
    METRICS_HOST: z.string().trim().min(1).default('0.0.0.0'),
    LOG_LEVEL: env.oneOf(['debug', 'info', 'warn', 'error']).default('info'),
    /** The monkey's own pod (downward API), named as the source of its Events. */
    POD_NAME: env.nonEmpty().optional(),
  })
  .refine((config) => config.CHAOS_MONKEY_START_HOUR < config.CHAOS_MONKEY_END_HOUR, {
    path: ['CHAOS_MONKEY_END_HOUR'],
    message: 'expected an end hour after CHAOS_MONKEY_START_HOUR',
  });

export type ChaosMonkeyConfig = z.infer<typeof chaosMonkeyConfigSchema>;
