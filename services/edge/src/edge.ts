import { setTimeout as sleep } from 'node:timers/promises';
import { EDGE, type ServiceDefinitions } from '@streamplane/contracts';
import {
  ConfigError,
  createDiscovery,
  exportSecurityPosture,
  loadTransportSecurity,
  observeCertificate,
  exportServingHealth,
  loadConfig,
  Logger,
  securityPostureOf,
  ServiceClients,
  startTelemetryFromEnv,
  staticAddressSchema,
  systemClock,
  type RunningProcess,
} from '@streamplane/platform';
import { CatalogTitles } from './adapters/catalog-titles';
import { OtelEdgeMetrics } from './adapters/otel-edge-metrics';
import { SimulatedOrigin } from './adapters/simulated-origin';
import { SteeringFillPlans } from './adapters/steering-fill-plans';
import { CleartextListener } from './api/cleartext-listener';
import { EdgeHttp } from './api/edge-http';
import { ApplianceRequests } from './application/appliance-requests';
import { DEPENDENCIES } from './application/dependencies';
import { systemTimers } from './application/ports';
import { ProactiveFill } from './application/proactive-fill';
import { SegmentStore } from './application/segment-store';
import { edgeConfigSchema } from './config';
import { SegmentCache } from './domain';

export interface RunningEdge extends RunningProcess {
  readonly port: number;
}

const MBPS = 1_000_000;

/**
 * Boots the appliance: validated config, telemetry (metrics on :9480), JSON logs, resilient clients of
 * catalog and steering, the segment cache in front of the simulated origin, and HTTP/1.1 + h2c on one
 * port; its shutdown turns health 503, stops the fill, drains requests in flight and flushes spans.
 */
export async function startEdge(env: NodeJS.ProcessEnv = process.env): Promise<RunningEdge> {
  const config = loadConfig(
    edgeConfigSchema.and(staticAddressSchema(DEPENDENCIES.map(({ service }) => service.name))),
    env,
  );
  const telemetry = startTelemetryFromEnv({ name: EDGE.name, metricsPort: EDGE.metricsPort }, env);
  const logger = new Logger(EDGE.name, config.LOG_LEVEL);
  const discovery = createDiscovery(config, logger, config);
  const clients = new ServiceClients<ServiceDefinitions>(DEPENDENCIES, discovery, logger, {
    faultCohorts: config.STREAMPLANE_FAULTS === 'enabled',
  });
  const cache = new SegmentCache(config.EDGE_CACHE_BYTES);
  const metrics = new OtelEdgeMetrics(telemetry.meter, cache);
  const titles = new CatalogTitles(clients.get('catalog'), config.EDGE_TITLE_CACHE_SIZE);
  const origin = new SimulatedOrigin(
    systemTimers,
    config.EDGE_ORIGIN_LATENCY_MS,
    config.EDGE_ORIGIN_BANDWIDTH_MBPS * MBPS,
  );
  const store = new SegmentStore(cache, origin, metrics);
  const hosted = config.EDGE_APPLIANCE_IDS;
  const hosts = (applianceId: string) => hosted === 'all' || hosted.has(applianceId);
  const fill = new ProactiveFill(new SteeringFillPlans(clients.get('steering')), titles, store, hosts, systemTimers, {
    window: config.fillWindow,
    capBitsPerSecond: config.EDGE_FILL_BANDWIDTH_MBPS * MBPS,
    segmentsPerRendition: config.EDGE_FILL_SEGMENTS_PER_RENDITION,
    maxTitles: config.EDGE_FILL_MAX_TITLES,
  });
  const http = new EdgeHttp({
    appliance: new ApplianceRequests(titles, store, metrics, systemClock, {
      cdnSecret: config.STREAMPLANE_CDN_SECRET,
      hosts,
      segmentMaxAgeSeconds: config.EDGE_SEGMENT_MAX_AGE_SECONDS,
    }),
    fill,
    titles,
    gauge: metrics,
    logger,
    tracer: telemetry.tracer,
    fillRegion: config.EDGE_FILL_REGION,
  });
  // The readiness probe's answer for Prometheus too, so that the ServiceNotServing alert covers the edge.
  exportServingHealth(() => http.serving(), telemetry.meter);
  exportSecurityPosture(securityPostureOf(edgeConfigSchema, config, env), telemetry.meter);
  observeCertificate(loadTransportSecurity(config), logger, telemetry.meter);
  const listener = new CleartextListener(http.handle);
  const address = await listener.listen(config.HTTP_PORT, config.HTTP_HOST).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error;
    throw new ConfigError([`HTTP_PORT: port ${config.HTTP_PORT} on ${config.HTTP_HOST} is already in use`]);
  });
  const metricsAddress = await telemetry.metricsAddress();
  logger.info('serving', {
    port: address.port,
    host: config.HTTP_HOST,
    protocols: 'HTTP/1.1, h2c',
    metrics_port: metricsAddress?.port,
    appliances: hosted === 'all' ? 'all' : [...hosted],
    cache_bytes: cache.capacityBytes,
    fill_window: config.fillWindow.toString(),
  });

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info('shutting down', { reason });
      http.stopServing();
      await fill.stop();
      await sleep(config.SHUTDOWN_DELAY_MS);
      listener.stopAccepting();
      const drain = await http.drain(config.SHUTDOWN_DRAIN_MS);
      listener.closeAll();
      clients.close();
      discovery.close();
      logger.info('stopped', { drain });
      await telemetry.shutdown();
    })();
    return stopping;
  };
  return {
    port: address.port,
    logger,
    exitWithParent: config.STREAMPLANE_EXIT_WITH_PARENT === 'true',
    shutdown,
  };
}
