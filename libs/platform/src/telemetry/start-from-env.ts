import { loadConfig, telemetryConfigSchema } from '../config/config';
import type { ServiceDescriptor } from '../server/service-descriptor';
import { packageVersionOf } from './resource';
import { startTelemetry, type Telemetry } from './telemetry';

/** The process telemetry is started for. */
export interface TelemetryTarget
  extends Pick<ServiceDescriptor, 'name'>, Partial<Pick<ServiceDescriptor, 'metricsPort'>> {
  /** The process's entry point (its main.js): service.version is the version of the package it is in. */
  entryPoint?: string;
  /** See TelemetryOptions.instrumentHttp. */
  instrumentHttp?: boolean;
}

/** Starts telemetry for `service` from the validated OTEL_, METRICS_ and K8S_ variables (idempotent). */
export function startTelemetryFromEnv(service: TelemetryTarget, env: NodeJS.ProcessEnv = process.env): Telemetry {
  const config = loadConfig(telemetryConfigSchema, env);
  return startTelemetry({
    service: config.OTEL_SERVICE_NAME ?? service.name,
    version: service.entryPoint === undefined ? undefined : packageVersionOf(service.entryPoint),
    kubernetes: { podName: config.K8S_POD_NAME, namespaceName: config.K8S_NAMESPACE_NAME },
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    metricsPort: config.METRICS_PORT ?? service.metricsPort,
    metricsHost: config.METRICS_HOST,
    instrumentHttp: service.instrumentHttp,
  });
}
