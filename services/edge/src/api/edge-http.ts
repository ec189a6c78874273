import type { Span, Tracer } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import { DomainError, traceHttpRequest, type Logger } from '@streamplane/platform';
import { networkRegion } from '@streamplane/streaming';
import { refusal, type ApplianceAnswer, type ApplianceRequests } from '../application/appliance-requests';
import type { ProactiveFill } from '../application/proactive-fill';
import type { TitleMediaSource } from '../application/ports';
import type { HttpRequest, HttpResponse } from './cleartext-listener';

export interface RequestGauge {
  requestStarted(): void;
  requestEnded(): void;
}

export interface EdgeHttpOptions {
  readonly appliance: ApplianceRequests;
  readonly fill: ProactiveFill;
  readonly titles: TitleMediaSource;
  readonly gauge: RequestGauge;
  readonly logger: Logger;
  readonly tracer: Tracer;
  /** The region `POST /admin/fill` plans for when the request names none. */
  readonly fillRegion?: string;
  /** How long one readiness answer is reused, so that many probers cost catalog one call. */
  readonly readinessTtlMs?: number;
}

const HTTP_STATUS_OF: Partial<Record<DomainError['kind'], number>> = {
  'failed-precondition': 409,
  'not-found': 404,
  'invalid-argument': 400,
  unavailable: 503,
};

/**
 * The appliance's HTTP surface: title resources for players (application/appliance-requests.ts), the
 * probes (`GET /livez`, `GET /healthz`: ready while catalog answers) and the operator's fill
 * (`POST /admin/fill?region=<region>` starts applying steering's plan, `GET /admin/fill` reports on it).
 * Every request but the probes' gets one server span (W3C trace context from its headers; see
 * traceHttpRequest) and, past a 5xx, a log line.
 */
export class EdgeHttp {
  private inFlight = 0;
  private stopping = false;
  private readiness?: { checkedAtMs: number; ready: Promise<boolean> };
  private readonly drained: Array<() => void> = [];

  constructor(private readonly options: EdgeHttpOptions) {}

  readonly handle = (request: HttpRequest, response: HttpResponse): void => {
    this.inFlight += 1;
    this.options.gauge.requestStarted();
    response.once('close', () => {
      this.inFlight -= 1;
      this.options.gauge.requestEnded();
      if (this.inFlight === 0) for (const resolve of this.drained.splice(0)) resolve();
    });
    const target = request.url ?? '/';
    const queryAt = target.indexOf('?');
    const path = queryAt < 0 ? target : target.slice(0, queryAt);
    const method = request.method ?? 'GET';
    void traceHttpRequest(this.options.tracer, request, response, routeOf(path), async (span) => {
      const answer = await this.answer(
        request,
        method,
        path,
        new URLSearchParams(queryAt < 0 ? '' : target.slice(queryAt + 1)),
        span,
      );
      if (answer.cache) span.setAttribute('streamplane.edge.cache', answer.cache);
      this.send(response, answer);
    });
  };

  /** From now on health answers 503, so that load balancers move away before the listener closes. */
  stopServing(): void {
    this.stopping = true;
  }

  /** Resolves when no request is in flight, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<'drained' | 'timed out'> {
    this.stopServing();
    if (this.inFlight === 0) return Promise.resolve('drained');
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve('timed out'), timeoutMs);
      this.drained.push(() => {
        clearTimeout(timer);
        resolve('drained');
      });
    });
  }

  private async answer(
    request: HttpRequest,
    method: string,
    path: string,
    query: URLSearchParams,
    span: Span,
  ): Promise<ApplianceAnswer> {
    try {
      if (path === '/livez') return onlyGet(method) ?? plain(200, 'alive');
      if (path === '/healthz') return onlyGet(method) ?? (await this.health());
      if (path === '/admin/fill') return await this.admin(method, query);
      const range = request.headers.range;
      return await this.options.appliance.answer({ method, host: hostOf(request), path, query, range });
    } catch (error) {
      const status = error instanceof DomainError ? HTTP_STATUS_OF[error.kind] : undefined;
      if (status !== undefined) return refusal(status, (error as Error).message);
      const incidentId = randomUUID();
      span.recordException(error as Error);
      this.options.logger.error('request failed', { incident_id: incidentId, path, error });
      return refusal(500, `internal error (incident ${incidentId})`);
    }
  }

  /** What `GET /healthz` answers, as a boolean: not shutting down, and catalog answers. */
  async serving(): Promise<boolean> {
    return !this.stopping && (await this.catalogReachable());
  }

  private async health(): Promise<ApplianceAnswer> {
    if (this.stopping) return plain(503, 'shutting down');
    return (await this.catalogReachable()) ? plain(200, 'ready') : plain(503, 'catalog is unreachable');
  }

  private catalogReachable(): Promise<boolean> {
    const now = Date.now();
    if (!this.readiness || now - this.readiness.checkedAtMs >= (this.options.readinessTtlMs ?? 1_000)) {
      this.readiness = { checkedAtMs: now, ready: this.options.titles.reachable() };
    }
    return this.readiness.ready;
  }

  private async admin(method: string, query: URLSearchParams): Promise<ApplianceAnswer> {
    if (method === 'GET') {
      const latest = this.options.fill.latest;
      return latest ? json(200, latest) : plain(404, 'no fill has run yet: POST /admin/fill?region=<region>');
    }
    if (method !== 'POST') return refusal(405, `${method} is not allowed here: GET or POST`, { allow: 'GET, POST' });
    const region = query.get('region') ?? this.options.fillRegion;
    if (!region) return refusal(400, 'region: required (e.g. ?region=us-east), as no EDGE_FILL_REGION is set');
    if (!networkRegion(region)) return refusal(400, `region: unknown region ${JSON.stringify(region)}`);
    const report = await this.options.fill.start(region);
    this.options.logger.info('fill started', { region, titles: report.titleIds.length });
    return json(202, report);
  }

  private send(response: HttpResponse, answer: ApplianceAnswer): void {
    if (response.headersSent || response.destroyed) return;
    try {
      response.writeHead(answer.status, answer.headers);
      if (answer.body === undefined) response.end();
      else response.end(answer.body);
    } catch (error) {
      this.options.logger.warn('response not sent', { error: (error as Error).message });
    }
  }
}

/** The Host header, or HTTP/2's :authority (which Node's compatibility API also offers as `authority`). */
function hostOf(request: HttpRequest): string | undefined {
  return request.headers.host ?? ('authority' in request ? request.authority : undefined) ?? undefined;
}

const OTHER_ROUTES = new Set(['/livez', '/healthz', '/admin/fill']);

/** The route (http.route, in the span name) of bounded cardinality: never the title or segment. */
function routeOf(path: string): string | undefined {
  if (!path.startsWith('/titles/')) return OTHER_ROUTES.has(path) ? path : undefined;
  const depth = path.split('/').length;
  return depth <= 3 ? '/titles/{title_id}' : '/titles/{title_id}/{rendition_id}/{segment}';
}

function onlyGet(method: string): ApplianceAnswer | undefined {
  return method === 'GET' || method === 'HEAD'
    ? undefined
    : refusal(405, `${method} is not allowed here: GET`, { allow: 'GET, HEAD' });
}

function plain(status: number, text: string): ApplianceAnswer {
  return refusal(status, text, { 'cache-control': 'no-store' });
}

function json(status: number, value: unknown): ApplianceAnswer {
  const body = `${JSON.stringify(value)}\n`;
  return {
    status,
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    body,
  };
}
