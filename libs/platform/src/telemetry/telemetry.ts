import {
  diag,
  DiagLogLevel,
  metrics,
  trace,
  isSpanContextValid,
  type DiagLogger,
  type Meter,
  type Tracer,
} from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../config/config';
import { Logger } from '../logging/logger';
import { untraced } from './http-telemetry';
import { instrumentLibraries } from './instrumentations';
import { serviceResource, type ServiceIdentity } from './resource';

/**
 * The process's OpenTelemetry: traces (W3C tracecontext + baggage, parent-based sampling from the standard
 * OTEL_TRACES_SAMPLER variables, batched OTLP/gRPC export to OTEL_EXPORTER_OTLP_ENDPOINT) and metrics
 * (served for Prometheus on METRICS_PORT), both with the process's resource (resource.ts), and the
 * instrumentations of the libraries it talks through (instrumentations.ts). Started once, before the
 * application loads (see register-telemetry.ts), and shut down by the service after it has drained its
 * calls, so the last spans are flushed.
 *
 * With no endpoint configured, spans are still created (trace ids reach the logs and propagate to the
 * next hop) but nothing is exported. An unreachable collector never blocks serving: export happens in the
 * background from a bounded queue; spans that do not fit are dropped and counted
 * (otel.sdk.processor.span.processed{error.type="queue_full"} on the metrics endpoint).
 */
export interface TelemetryOptions extends ServiceIdentity {
  /** OTLP/gRPC endpoint, e.g. http://jaeger:4317; undefined: no export. */
  otlpEndpoint?: string;
  /** Port of the Prometheus endpoint; 0 picks a free one; undefined: no endpoint. */
  metricsPort?: number;
  metricsHost?: string;
  /** Bound of the span queue; spans beyond it are dropped (and counted), never buffered without limit. */
  maxQueuedSpans?: number;
  /**
   * Also instrument node:http (server spans of HTTP/1.1 requests, client spans within them): for a process
   * whose API is HTTP (the edge), not for the gRPC services, whose only HTTP server is /metrics.
   */
  instrumentHttp?: boolean;
}

export interface Telemetry {
  readonly tracer: Tracer;
  readonly meter: Meter;
  /** Where /metrics is served, once listening. */
  metricsAddress(): Promise<AddressInfo | undefined>;
  /** Exports what is queued (bounded by timeoutMs) and stops. */
  shutdown(timeoutMs?: number): Promise<void>;
}

const INSTRUMENTATION_SCOPE = 'streamplane';

let active: Telemetry | undefined;

/** The telemetry started for this process, or one backed by OpenTelemetry's no-op API when none was. */
export function activeTelemetry(): Telemetry {
  return (
    active ?? {
      tracer: trace.getTracer(INSTRUMENTATION_SCOPE),
      meter: metrics.getMeter(INSTRUMENTATION_SCOPE),
      metricsAddress: async () => undefined,
      shutdown: async () => undefined,
    }
  );
}

// Every log line written while a span is active carries its ids, so a trace leads to its logs.
Logger.addEnricher(() => {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
});

export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (active) return active;
  diag.setLogger(rateLimitedDiagLogger(new Logger(options.service, 'info')), DiagLogLevel.WARN);

  const resource = serviceResource(options);

  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ resource, readers: [prometheus] });
  metrics.setGlobalMeterProvider(meterProvider);

  const maxQueuedSpans = options.maxQueuedSpans ?? 2048;
  const spanProcessors = options.otlpEndpoint
    ? [
        new BatchSpanProcessor({
          exporter: new OTLPTraceExporter({ url: options.otlpEndpoint, selfObsMeterProvider: meterProvider }),
          maxQueueSize: maxQueuedSpans,
          maxExportBatchSize: Math.min(512, maxQueuedSpans),
          scheduledDelayMillis: 1000,
          exportTimeoutMillis: 5000,
          selfObsMeterProvider: meterProvider,
        }),
      ]
    : [];
  // The sampler comes from OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (default: parent-based, always on).
  const tracerProvider = new NodeTracerProvider({ resource, spanProcessors });
  tracerProvider.register({
    propagator: new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  });
  instrumentLibraries({ tracerProvider, meterProvider, http: options.instrumentHttp ?? false });

  const metricsServer = options.metricsPort === undefined ? undefined : serveMetrics(prometheus, options);

  active = {
    tracer: trace.getTracer(INSTRUMENTATION_SCOPE),
    meter: metrics.getMeter(INSTRUMENTATION_SCOPE),
    metricsAddress: async () => {
      if (!metricsServer) return undefined;
      await metricsServer.listening;
      return metricsServer.server.address() as AddressInfo;
    },
    async shutdown(timeoutMs = 5000) {
      const stopped = Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
      const timer = new Promise((resolve) => setTimeout(resolve, timeoutMs).unref());
      await Promise.race([stopped, timer]);
      metricsServer?.server.close();
    },
  };
  return active;
}

/**
 * OpenTelemetry's own complaints (an unreachable collector fails every export) as at most one log line per
 * 30 s, first line only: a collector outage must not flood the logs it is supposed to help with.
 */
function rateLimitedDiagLogger(logger: Logger): DiagLogger {
  const quietMs = 30_000;
  let lastLoggedAt = -Infinity;
  let suppressed = 0;
  const report = (message: string): void => {
    const now = Date.now();
    if (now - lastLoggedAt < quietMs) {
      suppressed += 1;
      return;
    }
    lastLoggedAt = now;
    const firstLine = readableMessage(message).split('\n')[0]!.slice(0, 300);
    logger.warn('telemetry problem (e.g. collector unreachable); spans are queued and dropped when full', {
      detail: firstLine,
      suppressed_since_last: suppressed,
    });
    suppressed = 0;
  };
  const ignore = (): void => undefined;
  return { error: report, warn: report, info: ignore, debug: ignore, verbose: ignore };
}

/** OpenTelemetry hands over some errors as their JSON; their message is what a person needs. */
function readableMessage(message: string): string {
  try {
    const parsed: unknown = JSON.parse(message);
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed) return String(parsed.message);
  } catch {
    // not JSON: already readable
  }
  return message;
}

function serveMetrics(
  prometheus: PrometheusExporter,
  options: TelemetryOptions,
): { server: Server; listening: Promise<void> } {
  const server = createServer((request, response) => {
    if (request.url?.split('?')[0] === '/metrics') {
      // A scrape may call out (a gauge asking a dependency); neither it nor that is worth a trace.
      untraced(() => prometheus.getMetricsRequestHandler(request, response));
    } else {
      response.statusCode = 404;
      response.end('not found: metrics are at /metrics\n');
    }
  });
  const listening = new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new ConfigError([
              `METRICS_PORT: port ${options.metricsPort} on ${options.metricsHost ?? '0.0.0.0'} is already in use`,
            ])
          : error,
      ),
    );
    server.listen(options.metricsPort, options.metricsHost ?? '0.0.0.0', () => resolve());
  });
  server.unref();
  return { server, listening };
}
