import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { getRPCMetadata, RPCType, unsuppressTracing } from '@opentelemetry/core';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

/**
 * Server spans of HTTP requests, one per request whichever protocol carried it. Over HTTP/1.1 the span is
 * @opentelemetry/instrumentation-http's (in a process started with TelemetryOptions.instrumentHttp); it
 * cannot see HTTP/2 (Node's http2 compatibility API is no http.Server), so there, and in processes without
 * the instrumentation, the platform makes one with the same name and attributes (stable HTTP semantic
 * conventions). Probes and scrapes get none.
 */

/** Probe and scrape paths: most of a server's requests and none of its story. */
const UNTRACED_PATHS: ReadonlySet<string> = new Set(['/metrics', '/healthz', '/livez']);

/** Whether a request for `target` (path and query) is left untraced: the Kubernetes probes and /metrics. */
export function isUntracedHttpPath(target: string | undefined): boolean {
  return UNTRACED_PATHS.has((target ?? '/').split('?', 1)[0]!);
}

/**
 * Runs `work` so that nothing it causes is traced, here or downstream (a readiness check's call to a
 * dependency): under an unsampled parent, which tracecontext passes on as such (traceparent flags 00) and
 * parent-based samplers follow. Suppressing tracing, as instrumentation-http does for ignored requests,
 * would only silence this process, and the next hop would start traces of its own.
 */
export function untraced<T>(work: (span: Span) => T): T {
  const unsampled = trace.wrapSpanContext({
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    traceFlags: TraceFlags.NONE,
  });
  return context.with(trace.setSpan(unsuppressTracing(context.active()), unsampled), () => work(unsampled));
}

type HttpRequest = IncomingMessage | Http2ServerRequest;
type HttpResponse = ServerResponse | Http2ServerResponse;

/**
 * Runs `handle` as the request's server span, which it may add attributes and exceptions to; the span
 * ends when the response closes, with its status code (5xx: an error). `route` is the path template, of
 * bounded cardinality (`/titles/{title_id}`), undefined for paths outside the server's routes.
 */
export function traceHttpRequest(
  tracer: Tracer,
  request: HttpRequest,
  response: HttpResponse,
  route: string | undefined,
  handle: (span: Span) => Promise<void>,
): Promise<void> {
  if (isUntracedHttpPath(request.url)) return untraced(handle);
  const instrumented = getRPCMetadata(context.active());
  if (instrumented?.type === RPCType.HTTP) {
    // instrumentation-http names the span `<method> <route>` and sets http.route when the response closes.
    instrumented.route = route;
    return handle(instrumented.span);
  }
  const method = request.method ?? 'GET';
  return tracer.startActiveSpan(
    route === undefined ? method : `${method} ${route}`,
    { kind: SpanKind.SERVER, attributes: requestAttributes(request, method, route) },
    propagation.extract(ROOT_CONTEXT, request.headers),
    async (span) => {
      response.once('close', () => {
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.statusCode);
        if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      });
      try {
        await handle(span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      }
    },
  );
}

function requestAttributes(request: HttpRequest, method: string, route: string | undefined): Attributes {
  // The Host header, or HTTP/2's :authority; the port only when it names one.
  const host = request.headers.host ?? request.headers[':authority'];
  const [, address, port] = /^(.*?)(?::(\d{1,5}))?$/.exec(typeof host === 'string' ? host : '') ?? [];
  return {
    [ATTR_HTTP_REQUEST_METHOD]: method,
    [ATTR_URL_SCHEME]: 'http',
    [ATTR_URL_PATH]: (request.url ?? '/').split('?', 1)[0],
    // Node says 2.0 where the conventions (and instrumentation-http's 1.1) say 2.
    [ATTR_NETWORK_PROTOCOL_VERSION]: request.httpVersion === '2.0' ? '2' : request.httpVersion,
    [ATTR_SERVER_ADDRESS]: address || undefined,
    [ATTR_SERVER_PORT]: port === undefined ? undefined : Number(port),
    [ATTR_HTTP_ROUTE]: route,
  };
}
