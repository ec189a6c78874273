/**
 * Preloaded before a service's code: `node --require @streamplane/contracts/register-telemetry
 * services/<service>/dist/src/main.js`. Starting OpenTelemetry first means the tracer, propagators and
 * meter exist before any module that uses them is loaded, and the instrumentations of pg, ioredis and
 * (for the edge) node:http patch those modules before the application requires them. It lives beside the
 * registry because it names the service from its entry point and takes the service's default metrics port
 * from there; service.version is that of the entry point's package.json. It installs no signal handlers:
 * the service owns shutdown, and flushes telemetry as its last step.
 */
import { ConfigError, EXIT_BAD_CONFIG, startTelemetryFromEnv } from '@streamplane/platform';
import { EDGE, SERVICES, type ServiceName } from './service-registry';

const entryPoint = process.argv[1] ?? '';
const service = process.env.OTEL_SERVICE_NAME ?? /services[\\/]([^\\/]+)[\\/]/.exec(entryPoint)?.[1];

if (!service) {
  process.stderr.write(`telemetry: cannot tell the service from ${entryPoint}; set OTEL_SERVICE_NAME\n`);
  process.exit(EXIT_BAD_CONFIG);
}

try {
  const metricsPort = service === EDGE.name ? EDGE.metricsPort : SERVICES[service as ServiceName]?.metricsPort;
  startTelemetryFromEnv({
    name: service,
    metricsPort,
    entryPoint: process.argv[1],
    // The edge's API is HTTP; the services' only HTTP is /metrics, which is not worth spans.
    instrumentHttp: service === EDGE.name,
  });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${service}: ${error.message}\n`);
  process.exit(EXIT_BAD_CONFIG);
}
