import { context, isSpanContextValid } from '@opentelemetry/api';
import {
  Metadata,
  status as GrpcStatus,
  type sendUnaryData,
  type ServerUnaryCall,
  type StatusObject,
} from '@grpc/grpc-js';
import { pushbackMetadata, statusError, statusName, toStatusError, type MappedError } from '../errors/grpc-status';
import { priorityOf } from '../limits/call-priority';
import type { AdmittedCall, CallPriority, ConcurrencyLimiter } from '../limits/concurrency-limiter';
import type { FaultInjector } from '../faults/faults';
import type { Logger } from '../logging/logger';
import type { RpcTelemetry } from '../telemetry/rpc-telemetry';
import type { CallerAuthorization } from '../security/caller-authorization';
import { deadlineToMillis, runWithRequestContext, type RequestContext } from './request-context';

/** How a call ran out of time: the limit backs off. */
const RAN_OUT_OF_TIME = new Set<GrpcStatus>([GrpcStatus.DEADLINE_EXCEEDED, GrpcStatus.CANCELLED]);
/** Failures that are latency samples only when slow (see AdmittedCall.failed); answers always are. */
const SERVER_FAILURES = new Set<GrpcStatus>([
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.RESOURCE_EXHAUSTED,
  GrpcStatus.INTERNAL,
  GrpcStatus.UNKNOWN,
]);

export type UnaryHandler = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => unknown;

/** Trailing metadata of every answer: the trace of the call, so a caller can look its own call up. */
export const TRACE_ID_TRAILER = 'x-trace-id';

/**
 * Everything the platform does around a handler, for every unary call, in one place: trace context and
 * server span, request context, deadline check, authorization by caller (under mutual TLS), admission by
 * the adaptive concurrency limit (by the call's priority), fault injection, error mapping, logging, RED
 * metrics and in-flight accounting.
 */
export interface AdmissionOptions {
  /** The server's adaptive concurrency limit; without one, every call is admitted. */
  limiter?: ConcurrencyLimiter;
  /** Full paths of the methods that are batch work: sheddable whatever their callers ask. */
  sheddableMethods?: ReadonlySet<string>;
  /** Names the server in refusals ("catalog is over its concurrency limit …"). */
  serviceName?: string;
  /** Under mutual TLS, who may call which method; without it (plaintext), every caller may. */
  authorization?: CallerAuthorization;
}

export class CallPipeline {
  private inFlightCalls = 0;

  constructor(
    private readonly logger: Logger,
    private readonly faults: FaultInjector,
    private readonly telemetry: RpcTelemetry,
    private readonly admission: AdmissionOptions = {},
  ) {}

  get inFlight(): number {
    return this.inFlightCalls;
  }

  /**
   * The handler inside the pipeline. An `operator` call (the fault rules admin API) is traced, timed and
   * mapped like any other, but never refused at the concurrency limit nor hit by a fault: an operator must
   * be able to clear a latency rule that has filled the limit with delayed calls.
   */
  wrap(handler: UnaryHandler, caller: 'application' | 'operator' = 'application'): UnaryHandler {
    return (call, callback) => this.serve(call, callback, handler, caller === 'operator');
  }

  private serve(
    call: ServerUnaryCall<unknown, unknown>,
    callback: sendUnaryData<unknown>,
    handler: UnaryHandler,
    byOperator: boolean,
  ): void {
    const startedAt = performance.now();
    const method = call.getPath();
    let priority: CallPriority;
    let admitted: AdmittedCall | undefined;
    try {
      this.admission.authorization?.check(call, method);
      priority = priorityOf(call.metadata, this.admission.sheddableMethods?.has(method) ? 'sheddable' : 'critical');
    } catch (error) {
      // A caller not allowed the method is refused before it can use up the limit.
      callback(toStatusError(error).error as Partial<StatusObject>);
      return;
    }
    if (!byOperator && this.admission.limiter) {
      admitted = this.admission.limiter.tryAcquire(priority);
      if (!admitted) {
        // Refused before any work, and as cheaply as can be: under overload, refusals are most calls.
        callback(this.overLimit(method, priority, this.admission.limiter));
        return;
      }
    }
    const { span, context: traceContext } = this.telemetry.startServerSpan(method, call.metadata);
    const deadline = deadlineToMillis(call.getDeadline());
    const cancellation = new CallCancellation(call, deadline);

    this.inFlightCalls += 1;
    let finished = false;
    const finish: sendUnaryData<unknown> = (error, value) => {
      if (finished) return;
      finished = true;
      cancellation.release();
      let code = GrpcStatus.OK;
      let details = '';
      const spanContext = span.spanContext();
      const traceId = isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
      try {
        if (error) {
          const mapped = toStatusError(error);
          context.with(traceContext, () => this.report(method, error, mapped));
          code = mapped.error.code;
          details = mapped.error.details;
          if (traceId) mapped.error.metadata.set(TRACE_ID_TRAILER, traceId);
          callback(mapped.error as Partial<StatusObject>);
        } else {
          const trailer = new Metadata();
          if (traceId) trailer.set(TRACE_ID_TRAILER, traceId);
          callback(null, value, trailer);
        }
      } finally {
        const durationMs = performance.now() - startedAt;
        if (admitted) {
          if (RAN_OUT_OF_TIME.has(code)) admitted.dropped();
          else if (SERVER_FAILURES.has(code)) admitted.failed(durationMs);
          else admitted.completed(durationMs);
        }
        this.telemetry.endServerSpan(span, method, code, details, durationMs);
        this.inFlightCalls -= 1;
        // The access log: one line per served call at LOG_LEVEL=debug, with the call's trace id.
        if (this.logger.isEnabled('debug')) {
          context.with(traceContext, () =>
            this.logger.debug('served', {
              method,
              code: statusName(code),
              duration_ms: Math.round(durationMs * 10) / 10,
            }),
          );
        }
      }
    };

    if (Date.now() >= deadline) {
      finish(statusError(GrpcStatus.DEADLINE_EXCEEDED, 'the deadline passed before the call started'));
      return;
    }
    const requestContext: RequestContext = {
      method,
      metadata: call.metadata,
      deadline,
      priority,
      get signal() {
        return cancellation.signal;
      },
      whenCancelled: (listener) => cancellation.whenCancelled(listener),
    };
    runWithRequestContext(
      requestContext,
      () => {
        if (!this.faults.enabled || byOperator) {
          try {
            handler(call, finish);
          } catch (error) {
            finish(error as Error);
          }
          return;
        }
        // Faults marked @response replace the answer only after the handler has done its work.
        const answer: sendUnaryData<unknown> = (error, value) => {
          if (error) finish(error);
          else
            this.faults
              .apply(method, call.metadata, cancellation.signal, 'response')
              .then(() => finish(null, value), finish);
        };
        this.faults
          .apply(method, call.metadata, cancellation.signal)
          .then(() => handler(call, answer))
          .catch((error: unknown) => finish(error as Error));
      },
      traceContext,
    );
  }

  /**
   * The answer to a call over the concurrency limit: a status object, not an Error, since under overload
   * most calls get one and an Error's stack trace was the costliest part of refusing (2–3 % of a
   * saturated playback-authorization's CPU).
   */
  private overLimit(method: string, priority: CallPriority, limiter: ConcurrencyLimiter): Partial<StatusObject> {
    this.telemetry.callRefused(method, priority);
    const { serviceName = 'the server' } = this.admission;
    const kept = priority === 'sheddable' ? ', part of them kept for critical calls' : '';
    return {
      code: GrpcStatus.RESOURCE_EXHAUSTED,
      details: `${serviceName} is over its concurrency limit (${limiter.currentLimit} calls in flight${kept}); retry in ${limiter.retryAfterMs} ms`,
      metadata: pushbackMetadata(limiter.retryAfterMs),
    };
  }

  private report(method: string, original: unknown, { error, incidentId }: MappedError): void {
    if (incidentId) {
      this.logger.error('unexpected error while serving a call', { method, incident_id: incidentId, error: original });
    } else {
      this.logger.debug('call failed', { method, code: statusName(error.code), details: error.details });
    }
  }
}

/**
 * The signal a served call's work can stop on: aborted when the caller cancels or the deadline passes.
 * grpc-js answers DEADLINE_EXCEEDED by itself; the signal lets handlers (and their outbound calls) stop
 * working for a caller that has gone. Made only when something asks for it (most handlers never do), so
 * that a call that makes no outbound call pays for no controller, listener or timer.
 */
class CallCancellation {
  private controller?: AbortController;
  private deadlineTimer?: NodeJS.Timeout;
  private listeners?: Set<() => void>;
  private watching = false;
  private readonly cancelled = (): void => {
    this.controller?.abort();
    for (const listener of this.listeners ?? []) listener();
    this.listeners?.clear();
  };

  constructor(
    private readonly call: ServerUnaryCall<unknown, unknown>,
    private readonly deadline: number,
  ) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.call.cancelled) {
        this.controller.abort();
      } else {
        this.watchCancellation();
        if (Number.isFinite(this.deadline)) {
          const controller = this.controller;
          this.deadlineTimer = setTimeout(() => controller.abort(), Math.max(0, this.deadline - Date.now()));
          this.deadlineTimer.unref();
        }
      }
    }
    return this.controller.signal;
  }

  whenCancelled(listener: () => void): () => void {
    if (this.call.cancelled) {
      listener();
      return () => undefined;
    }
    (this.listeners ??= new Set()).add(listener);
    this.watchCancellation();
    return () => this.listeners?.delete(listener);
  }

  /** The call is answered: nothing is left to cancel. */
  release(): void {
    clearTimeout(this.deadlineTimer);
    if (this.watching) this.call.off('cancelled', this.cancelled);
    this.listeners?.clear();
  }

  private watchCancellation(): void {
    if (this.watching) return;
    this.watching = true;
    this.call.once('cancelled', this.cancelled);
  }
}
