import { loadConfig, telemetryConfigSchema } from '../config/config';
import type { ServiceDescriptor } from '../server/service-descriptor';
import { startTelemetry, type Telemetry } from './telemetry';

/** Starts telemetry for `service` from the validated OTEL_ and METRICS_ variables (idempotent). */
export function startTelemetryFromEnv(
  service: Pick<ServiceDescriptor, 'name'> & Partial<Pick<ServiceDescriptor, 'metricsPort'>>,
  env: NodeJS.ProcessEnv = process.env,
): Telemetry {
  const config = loadConfig(telemetryConfigSchema, env);
  return startTelemetry({
    service: config.OTEL_SERVICE_NAME ?? service.name,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    metricsPort: config.METRICS_PORT ?? service.metricsPort,
    metricsHost: config.METRICS_HOST,
  });
}
