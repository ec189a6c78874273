import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Counter,
  type Histogram,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
} from '@opentelemetry/api';
import type { BreakerState } from '../client/breakers';
import { activeTelemetry } from './telemetry';

/**
 * gRPC spans and RED metrics, made by the platform itself on both sides of every hop (OpenTelemetry's RPC
 * semantic conventions): the server pipeline continues the caller's trace from the request metadata, and
 * the resilient client starts one span per call with one CLIENT child span per attempt, whose context it
 * injects into that attempt's metadata. No module patching is involved, so it works the same in every
 * process and test.
 */

const metadataGetter: TextMapGetter<Metadata> = {
  keys: (carrier) => Object.keys(carrier.getMap()),
  get: (carrier, key) => {
    const values = carrier.get(key).map(String);
    return values.length === 0 ? undefined : values;
  },
};

const metadataSetter: TextMapSetter<Metadata> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

/** Codes that mean the server failed (OpenTelemetry's rule for server spans); caller errors are not. */
const SERVER_FAULTS = new Set<GrpcStatus>([
  GrpcStatus.UNKNOWN,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.UNIMPLEMENTED,
  GrpcStatus.INTERNAL,
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DATA_LOSS,
]);

const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

// Memoised per method (and status code, or peer): they are made on every call, of a set bounded by the
// protos and the targets.
const attributesOfMethod = new Map<string, Readonly<Attributes>>();
/** By full method, then target ('' on the server side), then status code. */
const attributesOfOutcome = new Map<string, Map<string, Array<Readonly<Attributes>>>>();

const attributesOfFirstAttempt = new Map<string, Readonly<Attributes>>();
const spanNames = new Map<string, string>();

/** "streamplane.catalog.v1.CatalogService/GetTitle" for "/streamplane.catalog.v1.CatalogService/GetTitle". */
function spanName(fullMethod: string): string {
  let name = spanNames.get(fullMethod);
  if (name === undefined) {
    name = fullMethod.replace(/^\//, '');
    spanNames.set(fullMethod, name);
  }
  return name;
}

/** The attributes of an attempt's span; those of first attempts, nearly all of them, are made once per peer. */
function attemptAttributes(fullMethod: string, attempt: number, peer: string): Attributes {
  const make = () => ({ ...rpcAttributes(fullMethod), 'streamplane.attempt': attempt, 'server.address': peer });
  if (attempt !== 1) return make();
  const key = `${fullMethod} ${peer}`;
  let attributes = attributesOfFirstAttempt.get(key);
  if (!attributes) {
    attributes = Object.freeze(make());
    attributesOfFirstAttempt.set(key, attributes);
  }
  return attributes;
}

function rpcAttributes(fullMethod: string): Readonly<Attributes> {
  let attributes = attributesOfMethod.get(fullMethod);
  if (!attributes) {
    const [service = '', method = ''] = fullMethod.replace(/^\//, '').split('/');
    attributes = Object.freeze({ 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method });
    attributesOfMethod.set(fullMethod, attributes);
  }
  return attributes;
}

/** The attributes of a duration measurement: the method's, its status code and, for a client, the target. */
function outcomeAttributes(fullMethod: string, code: GrpcStatus, target = ''): Readonly<Attributes> {
  // Looked up by parts rather than by a key built on every call: nothing is allocated once they exist.
  let byTarget = attributesOfOutcome.get(fullMethod);
  if (!byTarget) attributesOfOutcome.set(fullMethod, (byTarget = new Map()));
  let byCode = byTarget.get(target);
  if (!byCode) byTarget.set(target, (byCode = []));
  let attributes = byCode[code];
  if (!attributes) {
    attributes = Object.freeze({
      ...rpcAttributes(fullMethod),
      ...(target === '' ? {} : { target }),
      'rpc.grpc.status_code': code,
    });
    byCode[code] = attributes;
  }
  return attributes;
}

export class RpcTelemetry {
  private readonly tracer: Tracer;
  private readonly serverDuration: Histogram;
  private readonly clientDuration: Histogram;
  private readonly clientEvents: Counter;
  private readonly breakerStates = new Map<string, BreakerState>();
  private readonly refusedCalls: Counter;
  private readonly deniedCalls: Counter;
  private readonly limiters: Array<{
    scope: Attributes;
    limiter: { readonly currentLimit: number; readonly inFlight: number };
  }> = [];

  constructor() {
    const { tracer, meter } = activeTelemetry();
    this.tracer = tracer;
    this.serverDuration = meter.createHistogram('rpc.server.duration', {
      unit: 'ms',
      description: 'Duration of gRPC calls served, by method and status code (count = rate, by code = errors).',
    });
    this.clientDuration = meter.createHistogram('rpc.client.duration', {
      unit: 'ms',
      description: 'Duration of each outbound gRPC attempt, by target method and status code.',
    });
    this.clientEvents = meter.createCounter('streamplane.client.events', {
      description: 'Resilience events of outbound calls: retry, retry_budget_exhausted, breaker_rejected, fallback.',
    });
    this.refusedCalls = meter.createCounter('streamplane.server.refused', {
      description:
        'Calls refused at the server’s adaptive concurrency limit (RESOURCE_EXHAUSTED), by method and priority.',
    });
    this.deniedCalls = meter.createCounter('streamplane.server.denied', {
      description:
        'Calls refused because their caller may not call the method (PERMISSION_DENIED), by caller and method.',
    });
    meter
      .createObservableGauge('streamplane.concurrency.limit', {
        description: 'Adaptive concurrency limit: of the server (side=server) or per target (side=client).',
      })
      .addCallback((result) => {
        for (const { scope, limiter } of this.limiters) result.observe(limiter.currentLimit, scope);
      });
    meter
      .createObservableGauge('streamplane.concurrency.in_flight', {
        description: 'Calls in flight under an adaptive concurrency limit (side=server, or side=client per target).',
      })
      .addCallback((result) => {
        for (const { scope, limiter } of this.limiters) result.observe(limiter.inFlight, scope);
      });
    meter
      .createObservableGauge('streamplane.client.breaker.state', {
        description: 'Circuit breaker state per target method: 0 closed, 1 half-open, 2 open.',
      })
      .addCallback((result) => {
        for (const [breaker, state] of this.breakerStates) result.observe(BREAKER_STATE_VALUE[state], { breaker });
      });
  }

  // Server side.

  /** Starts the server span of an incoming call, continuing the caller's trace from its metadata. */
  startServerSpan(fullMethod: string, metadata: Metadata): { span: Span; context: Context } {
    const parent = propagation.extract(ROOT_CONTEXT, metadata, metadataGetter);
    const span = this.tracer.startSpan(
      spanName(fullMethod),
      { kind: SpanKind.SERVER, attributes: rpcAttributes(fullMethod) },
      parent,
    );
    return { span, context: trace.setSpan(parent, span) };
  }

  endServerSpan(span: Span, fullMethod: string, code: GrpcStatus, details: string, durationMs: number): void {
    span.setAttribute('rpc.grpc.status_code', code);
    if (SERVER_FAULTS.has(code))
      span.setStatus({ code: SpanStatusCode.ERROR, message: `${GrpcStatus[code]}: ${details}` });
    span.end();
    this.serverDuration.record(durationMs, outcomeAttributes(fullMethod, code));
  }

  /** A call the server refused at its concurrency limit. */
  callRefused(fullMethod: string, priority: string): void {
    this.refusedCalls.add(1, { ...rpcAttributes(fullMethod), priority });
  }

  /** A call refused because its caller (an identity, or `unknown`) may not call the method. */
  callDenied(caller: string, fullMethod: string): void {
    this.deniedCalls.add(1, { ...rpcAttributes(fullMethod), caller });
  }

  /** Exports a server's or a target's adaptive limit and its in-flight calls, under `scope`. */
  observeLimiter(scope: Attributes, limiter: { readonly currentLimit: number; readonly inFlight: number }): void {
    this.limiters.push({ scope, limiter });
  }

  // Client side.

  /** Runs `work` inside a span covering one outbound call with all its attempts. */
  inCallSpan<T>(target: string, method: string, work: (span: Span) => Promise<T>): Promise<T> {
    return this.tracer.startActiveSpan(`${target}/${method}`, { kind: SpanKind.INTERNAL }, async (span) => {
      try {
        return await work(span);
      } catch (error) {
        const code = (error as { code?: number }).code;
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: `${GrpcStatus[code ?? GrpcStatus.UNKNOWN]}: ${(error as Error).message}`,
        });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  /** Starts a CLIENT span for one attempt and puts its context into the attempt's metadata. */
  startAttemptSpan(fullMethod: string, attempt: number, peer: string, metadata: Metadata): Span {
    const span = this.tracer.startSpan(spanName(fullMethod), {
      kind: SpanKind.CLIENT,
      attributes: attemptAttributes(fullMethod, attempt, peer),
    });
    propagation.inject(trace.setSpan(context.active(), span), metadata, metadataSetter);
    return span;
  }

  endAttemptSpan(
    span: Span,
    fullMethod: string,
    target: string,
    code: GrpcStatus,
    details: string,
    durationMs: number,
  ): void {
    span.setAttribute('rpc.grpc.status_code', code);
    if (code !== GrpcStatus.OK)
      span.setStatus({ code: SpanStatusCode.ERROR, message: `${GrpcStatus[code]}: ${details}` });
    span.end();
    this.clientDuration.record(durationMs, outcomeAttributes(fullMethod, code, target));
  }

  /** A resilience event: counted, and recorded on the active call span. */
  event(name: string, target: string, method: string, attributes: Attributes = {}): void {
    this.clientEvents.add(1, { event: name, target, method });
    trace.getActiveSpan()?.addEvent(name, attributes);
  }

  breakerState(breaker: string, state: BreakerState): void {
    this.breakerStates.set(breaker, state);
  }
}
