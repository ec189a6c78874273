import type { Metadata } from '@grpc/grpc-js';
import { context as otelContext, createContextKey, type Context } from '@opentelemetry/api';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { CallPriority } from '../limits/concurrency-limiter';

/**
 * What the platform knows about the gRPC call being served, available anywhere in its async call tree
 * (the resilient client reads the deadline and the metadata to propagate from here).
 */
export interface RequestContext {
  /** Full method path, e.g. /streamplane.catalog.v1.CatalogService/GetTitle. */
  readonly method: string;
  readonly metadata: Metadata;
  /** Absolute deadline in ms since the epoch; Infinity when the caller set none. */
  readonly deadline: number;
  /** Aborted when the caller cancels or the deadline passes: long work should stop. */
  readonly signal: AbortSignal;
  /**
   * Calls `listener` once, if and when the caller cancels (at once when it has already); returns what
   * stops listening. For work that carries the deadline itself, such as an outbound call: cheaper than
   * `signal`, which needs a controller and a deadline timer per served call.
   */
  whenCancelled(listener: () => void): () => void;
  /** The call's priority, which every call made while serving it inherits. */
  readonly priority: CallPriority;
}

const REQUEST_CONTEXT = createContextKey('streamplane.request-context');
const ownStorage = new AsyncLocalStorage<RequestContext>();
let carriedByOpenTelemetry: boolean | undefined;

/**
 * Whether OpenTelemetry's context works here (a context manager is registered, as in every service
 * process, where telemetry starts first): then the request context rides in it, and each call pays for one
 * AsyncLocalStorage instead of two. Without one (a library used alone) it has storage of its own. Asked
 * once, at the first call.
 */
function openTelemetryCarries(): boolean {
  carriedByOpenTelemetry ??= otelContext.with(otelContext.active().setValue(REQUEST_CONTEXT, true), () =>
    Boolean(otelContext.active().getValue(REQUEST_CONTEXT)),
  );
  return carriedByOpenTelemetry;
}

/**
 * Runs `work` with `requestContext` as the context of the call being served, inside `traceContext`
 * (OpenTelemetry's context to run in; the active one by default).
 */
export function runWithRequestContext<T>(
  requestContext: RequestContext,
  work: () => T,
  traceContext: Context = otelContext.active(),
): T {
  if (openTelemetryCarries()) return otelContext.with(traceContext.setValue(REQUEST_CONTEXT, requestContext), work);
  return otelContext.with(traceContext, () => ownStorage.run(requestContext, work));
}

export function currentRequestContext(): RequestContext | undefined {
  return carriedByOpenTelemetry
    ? (otelContext.active().getValue(REQUEST_CONTEXT) as RequestContext | undefined)
    : ownStorage.getStore();
}

/** Converts grpc-js's deadline (Date, number or Infinity) into ms since the epoch. */
export function deadlineToMillis(deadline: Date | number): number {
  return deadline instanceof Date ? deadline.getTime() : deadline;
}

/** A metadata value of the call being served (e.g. "authorization"), or undefined. */
export function requestMetadata(key: string): string | undefined {
  const value = currentRequestContext()?.metadata.get(key)[0];
  return value === undefined ? undefined : String(value);
}
