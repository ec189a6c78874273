import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { defaultDbStatementSerializer, type DbStatementSerializer } from '@opentelemetry/redis-common';
import { isUntracedHttpPath } from './http-telemetry';

/**
 * Spans of the libraries the services talk through, from OpenTelemetry's instrumentations: PostgreSQL
 * (pg, pg-pool) and Redis (ioredis) as CLIENT children of the call they serve and, with `http`, node:http
 * servers and clients. They patch each module as it is first required, which is why telemetry is started
 * before the application is loaded. gRPC is not among them: the platform makes those spans itself
 * (rpc-telemetry.ts).
 */
export function instrumentLibraries(options: {
  tracerProvider: TracerProvider;
  meterProvider: MeterProvider;
  http: boolean;
}): void {
  const instrumentations: Instrumentation[] = [
    // The SQL text (db.query.text), never its parameters, which hold account ids and profile names; and
    // nothing outside a call, such as the pool's housekeeping or the store guard's probes.
    new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
    new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: redisStatement }),
  ];
  if (options.http) {
    instrumentations.push(
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => isUntracedHttpPath(request.url),
        // Outbound HTTP only within a traced request: Consul's background polls would be traces of their own.
        requireParentforOutgoingSpans: true,
      }),
    );
  }
  registerInstrumentations({
    instrumentations,
    tracerProvider: options.tracerProvider,
    meterProvider: options.meterProvider,
  });
}

const SCRIPT_COMMANDS = /^eval(sha)?(_ro)?$/i;

/**
 * db.query.text of a Redis command: the command with its keys, never its values. OpenTelemetry's
 * default already leaves out the values of SET, HSET and the like, but not those of a script (EVAL,
 * EVALSHA: what ioredis's defineCommand sends), whose body would fill the span besides.
 */
const redisStatement: DbStatementSerializer = (command, args) => {
  if (!SCRIPT_COMMANDS.test(command)) return defaultDbStatementSerializer(command, args);
  // EVAL script numkeys key… arg…, EVALSHA sha1 numkeys key… arg…
  const keys = args.slice(2, 2 + Number(args[1] ?? 0));
  const values = Math.max(0, args.length - 2 - keys.length);
  return [command, ...keys, ...(values > 0 ? [`[${values} other arguments]`] : [])].join(' ');
};
