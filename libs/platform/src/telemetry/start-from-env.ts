import { loadConfig, telemetryConfigSchema } from '../config/config';
import { SERVICES, type ServiceName } from '../service-registry';
import { startTelemetry, type Telemetry } from './telemetry';

/** Starts telemetry for `service` from the validated OTEL_ and METRICS_ variables (idempotent). */
export function startTelemetryFromEnv(service: string, env: NodeJS.ProcessEnv = process.env): Telemetry {
  const config = loadConfig(telemetryConfigSchema, env);
  const descriptor = SERVICES[service as ServiceName] as (typeof SERVICES)[ServiceName] | undefined;
  return startTelemetry({
    service: config.OTEL_SERVICE_NAME ?? service,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    metricsPort: config.METRICS_PORT ?? descriptor?.metricsPort,
    metricsHost: config.METRICS_HOST,
  });
}
