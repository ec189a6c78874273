/* eslint-disable no-console -- the entry point: a configuration error is said on stderr before any logger exists */
import { ConfigError, EXIT_BAD_CONFIG, loadConfig, Logger } from '@streamplane/platform';
import { realTimers } from '../../timers';
import { ChaosMonkey } from './chaos-monkey';
import { chaosMonkeyConfigSchema, type ChaosMonkeyConfig } from './config';
import { countingServicesOf, DecisionCounter, serveDecisionMetrics } from './decision-metrics';
import { allOf, type DecisionSink } from './decisions';
import { KillSchedule } from './kill-schedule';
import { KubernetesCluster } from './kubernetes-cluster';
import { PlatformHealthCheck } from './platform-health';
import { WorkCalendar } from './work-calendar';

/**
 * `node scripts/dist/chaos/monkey/main.js`: the Chaos Monkey of the chart's `chaosMonkey.enabled`, in the
 * namespace it runs in. Every decision is a JSON log line, a Kubernetes Event and a count on /metrics;
 * each real kill is also written on its Deployment, so a restarted monkey keeps the minimum gap.
 * SIGTERM stops it at once (a kill already sent is not undone; nothing new starts).
 */

/** Each decision as one JSON line. */
function logSink(logger: Logger): DecisionSink {
  return {
    async record({ decision, service, pod, reason, dueMs, mode }) {
      logger.info(`chaos monkey ${decision}`, {
        decision,
        deployment: service,
        pod: pod?.name,
        mode,
        due: dueMs === undefined ? undefined : new Date(dueMs).toISOString(),
        reason,
      });
    },
  };
}

/** Kubernetes Events, whose failure (the API briefly away) is logged, never fatal: the log and counter have it. */
function eventSink(cluster: KubernetesCluster, logger: Logger): DecisionSink {
  return {
    async record(decision) {
      try {
        await cluster.record(decision);
      } catch (error) {
        logger.warn('chaos monkey could not record its Event', { decision: decision.decision, error });
      }
    },
  };
}

export async function runChaosMonkey(config: ChaosMonkeyConfig, logger: Logger): Promise<() => Promise<void>> {
  const cluster = await KubernetesCluster.connect({
    namespace: config.CHAOS_MONKEY_NAMESPACE,
    instance: config.POD_NAME,
  });
  const calendar = new WorkCalendar(
    config.CHAOS_MONKEY_TIME_ZONE,
    config.CHAOS_MONKEY_START_HOUR,
    config.CHAOS_MONKEY_END_HOUR,
  );
  const settings = {
    meanTimeBetweenKillsInWorkDays: config.CHAOS_MONKEY_MEAN_TIME_BETWEEN_KILLS_IN_WORK_DAYS,
    minTimeBetweenKillsInWorkDays: config.CHAOS_MONKEY_MIN_TIME_BETWEEN_KILLS_IN_WORK_DAYS,
  };
  // The opted-in services are known once the Deployments are listed: each starts at zero from then on.
  const counter = new DecisionCounter();
  const metrics = await serveDecisionMetrics(counter, config.METRICS_HOST, config.METRICS_PORT);
  const health = new PlatformHealthCheck(config.CHAOS_MONKEY_HEALTH_TARGETS);
  const monkey = new ChaosMonkey({
    cluster: countingServicesOf(cluster, counter),
    calendar,
    schedule: new KillSchedule(settings, calendar, Math.random),
    sink: allOf(logSink(logger), counter, eventSink(cluster, logger)),
    outageChecks: config.CHAOS_MONKEY_HEALTH_TARGETS.length > 0 ? [health] : [],
    timers: realTimers,
    random: Math.random,
    leashed: config.CHAOS_MONKEY_LEASHED,
    mode: config.CHAOS_MONKEY_MODE,
  });
  logger.info('chaos monkey started', {
    namespace: cluster.namespace,
    leashed: config.CHAOS_MONKEY_LEASHED,
    mode: config.CHAOS_MONKEY_MODE,
    ...settings,
    hours: `${config.CHAOS_MONKEY_START_HOUR}-${config.CHAOS_MONKEY_END_HOUR}`,
    time_zone: config.CHAOS_MONKEY_TIME_ZONE,
    health_targets: config.CHAOS_MONKEY_HEALTH_TARGETS,
    metrics_port: metrics.port,
  });
  monkey.start();
  return async () => {
    monkey.stop();
    health.close();
    await metrics.close();
  };
}

async function main(): Promise<number> {
  let config: ChaosMonkeyConfig;
  try {
    config = loadConfig(chaosMonkeyConfigSchema, process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`chaos-monkey: ${error.message}`);
    return EXIT_BAD_CONFIG;
  }
  const logger = new Logger('chaos-monkey', config.LOG_LEVEL);
  let stop: () => Promise<void>;
  try {
    stop = await runChaosMonkey(config, logger);
  } catch (error) {
    logger.error('chaos monkey could not start', { error });
    return 1;
  }
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info('chaos monkey stopping', { signal });
  await stop();
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(`chaos-monkey: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
