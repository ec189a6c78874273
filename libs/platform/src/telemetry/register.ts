/**
 * Preloaded before a service's code: `node --require dist/libs/platform/src/telemetry/register.js
 * dist/services/<service>/src/main.js`. Starting OpenTelemetry first means the tracer, propagators and
 * meter exist before any module that uses them is loaded. It installs no signal handlers: the service
 * owns shutdown, and flushes telemetry as its last step.
 */
import { ConfigError, EXIT_BAD_CONFIG } from '../config/config';
import { startTelemetryFromEnv } from './start-from-env';

const entryPoint = process.argv[1] ?? '';
const service = process.env.OTEL_SERVICE_NAME ?? /services[\\/]([^\\/]+)[\\/]/.exec(entryPoint)?.[1];

if (!service) {
  process.stderr.write(`telemetry: cannot tell the service from ${entryPoint}; set OTEL_SERVICE_NAME\n`);
  process.exit(EXIT_BAD_CONFIG);
}

try {
  startTelemetryFromEnv(service);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${service}: ${error.message}\n`);
  process.exit(EXIT_BAD_CONFIG);
}
