import { CONTROL_ROOM } from '@streamplane/contracts';
import { ConfigError, loadConfig, Logger, systemClock, type RunningProcess } from '@streamplane/platform';
import { DnsInstanceResolver } from './adapters/dns-instance-resolver';
import { HealthProbes } from './adapters/health-probes';
import { HttpMetricsReader } from './adapters/http-metrics-reader';
import { OtlpReceiver } from './adapters/otlp-receiver';
import { ControlRoomHttp } from './api/control-room-http';
import { CALL_GRAPH } from './application/call-graph';
import { ControlRoom } from './application/control-room';
import { PlatformWatcher } from './application/platform-watcher';
import { controlRoomConfigSchema } from './config';
import { ChaosEventLog, TraceStore } from './domain';

export interface RunningControlRoom extends RunningProcess {
  /** The page and its API. */
  readonly port: number;
  /** The OTLP/gRPC receiver, undefined when OTLP_PORT=0. */
  readonly otlpPort?: number;
}

/** Chaos events the page lists. */
const CHAOS_EVENTS_KEPT = 50;

/** A component must answer well within a poll, so that one slow instance never holds the page back. */
function probeTimeoutMs(pollMs: number): number {
  return Math.min(2_000, Math.max(250, Math.round(pollMs * 0.75)));
}

/** The port a listen failed on, named as the variable that chose it. */
function portInUse(variable: string, port: number, host: string) {
  return (error: NodeJS.ErrnoException): never => {
    if (error.code !== 'EADDRINUSE' && !/EADDRINUSE|address in use/i.test(error.message)) throw error;
    throw new ConfigError([`${variable}: port ${port} on ${host} is already in use`]);
  };
}

/**
 * Boots the control room: validated config, JSON logs, the OTLP receiver (unless OTLP_PORT=0), the page
 * and its API, and the watcher that reads every target's health and metrics each poll. It starts no
 * telemetry of its own: it is where traces arrive, and its own would only loop back to it.
 */
export async function startControlRoom(env: NodeJS.ProcessEnv = process.env): Promise<RunningControlRoom> {
  const config = loadConfig(controlRoomConfigSchema, env);
  const logger = new Logger(CONTROL_ROOM.name, config.LOG_LEVEL);
  const limits = { maxTraces: config.CONTROL_ROOM_MAX_TRACES, maxSpans: config.CONTROL_ROOM_MAX_SPANS };
  const timeoutMs = probeTimeoutMs(config.CONTROL_ROOM_POLL_MS);
  const watcher = new PlatformWatcher(
    config.CONTROL_ROOM_TARGETS,
    CALL_GRAPH,
    {
      metrics: new HttpMetricsReader(timeoutMs),
      health: new HealthProbes(timeoutMs),
      resolver: new DnsInstanceResolver(),
    },
    systemClock,
    logger,
    { pollMs: config.CONTROL_ROOM_POLL_MS, windowMs: config.CONTROL_ROOM_WINDOW_MS },
  );
  const traces = new TraceStore(limits);
  const receiver =
    config.OTLP_PORT === 0
      ? undefined
      : await OtlpReceiver.listen(config.HTTP_HOST, config.OTLP_PORT, (spans) => traces.add(spans)).catch(
          portInUse('OTLP_PORT', config.OTLP_PORT, config.HTTP_HOST),
        );
  const room = new ControlRoom(watcher, traces, new ChaosEventLog(CHAOS_EVENTS_KEPT), {
    jaegerUrl: config.CONTROL_ROOM_JAEGER_URL,
    otlpPort: receiver?.port,
    windowMs: config.CONTROL_ROOM_WINDOW_MS,
    ...limits,
  });
  const http = new ControlRoomHttp(room, systemClock, logger);
  const address = await http.listen(config.HTTP_PORT, config.HTTP_HOST).catch(async (error: NodeJS.ErrnoException) => {
    await receiver?.close();
    return portInUse('HTTP_PORT', config.HTTP_PORT, config.HTTP_HOST)(error);
  });
  watcher.start();
  logger.info('serving', {
    port: address.port,
    host: config.HTTP_HOST,
    otlp_port: receiver?.port ?? null,
    targets: config.CONTROL_ROOM_TARGETS.map(
      ({ name, host, port, metricsPort }) => `${name}=${host}:${port}/${metricsPort}`,
    ),
    poll_ms: config.CONTROL_ROOM_POLL_MS,
    jaeger_url: config.CONTROL_ROOM_JAEGER_URL ?? null,
  });

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info('shutting down', { reason });
      await watcher.stop();
      await Promise.all([http.close(), receiver?.close()]);
      logger.info('stopped');
    })();
    return stopping;
  };
  return {
    port: address.port,
    otlpPort: receiver?.port,
    logger,
    exitWithParent: config.STREAMPLANE_EXIT_WITH_PARENT === 'true',
    shutdown,
  };
}
