import { context, isSpanContextValid } from '@opentelemetry/api';
import {
  Metadata,
  status as GrpcStatus,
  type sendUnaryData,
  type ServerUnaryCall,
  type StatusObject,
} from '@grpc/grpc-js';
import { statusError, statusName, toStatusError, type MappedError } from '../errors/grpc-status';
import type { FaultInjector } from '../faults/faults';
import type { Logger } from '../logging/logger';
import type { RpcTelemetry } from '../telemetry/rpc-telemetry';
import { deadlineToMillis, runWithRequestContext, type RequestContext } from './request-context';

export type UnaryHandler = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => unknown;

/** Trailing metadata of every answer: the trace of the call, so a caller can look its own call up. */
export const TRACE_ID_TRAILER = 'x-trace-id';

/**
 * Everything the platform does around a handler, for every unary call, in one place: trace context and
 * server span, request context, deadline check, fault injection, error mapping, logging, RED metrics and
 * in-flight accounting.
 */
export class CallPipeline {
  private inFlightCalls = 0;

  constructor(
    private readonly logger: Logger,
    private readonly faults: FaultInjector,
    private readonly telemetry: RpcTelemetry,
  ) {}

  get inFlight(): number {
    return this.inFlightCalls;
  }

  wrap(handler: UnaryHandler): UnaryHandler {
    return (call, callback) => this.serve(call, callback, handler);
  }

  private serve(
    call: ServerUnaryCall<unknown, unknown>,
    callback: sendUnaryData<unknown>,
    handler: UnaryHandler,
  ): void {
    const startedAt = performance.now();
    const method = call.getPath();
    const { span, context: traceContext } = this.telemetry.startServerSpan(method, call.metadata);
    const deadline = deadlineToMillis(call.getDeadline());
    const abort = new AbortController();
    const onCancelled = (): void => abort.abort();
    call.once('cancelled', onCancelled);
    // grpc-js answers DEADLINE_EXCEEDED by itself when the deadline passes; aborting the signal as well
    // lets handlers (and their outbound calls) stop working for a caller that has gone.
    const deadlineTimer = Number.isFinite(deadline)
      ? setTimeout(onCancelled, Math.max(0, deadline - Date.now()))
      : undefined;
    deadlineTimer?.unref();

    this.inFlightCalls += 1;
    let finished = false;
    const finish: sendUnaryData<unknown> = (error, value) => {
      if (finished) return;
      finished = true;
      clearTimeout(deadlineTimer);
      call.off('cancelled', onCancelled);
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
        this.telemetry.endServerSpan(span, method, code, details, durationMs);
        this.inFlightCalls -= 1;
        // The access log: one line per served call at LOG_LEVEL=debug, with the call's trace id.
        context.with(traceContext, () =>
          this.logger.debug('served', {
            method,
            code: statusName(code),
            duration_ms: Math.round(durationMs * 10) / 10,
          }),
        );
      }
    };

    if (Date.now() >= deadline) {
      finish(statusError(GrpcStatus.DEADLINE_EXCEEDED, 'the deadline passed before the call started'));
      return;
    }
    const requestContext: RequestContext = { method, metadata: call.metadata, deadline, signal: abort.signal };
    context.with(traceContext, () =>
      runWithRequestContext(requestContext, () => {
        // Faults marked @response replace the answer only after the handler has done its work.
        const answer: sendUnaryData<unknown> = (error, value) => {
          if (error) finish(error);
          else this.faults.apply(call.metadata, abort.signal, 'response').then(() => finish(null, value), finish);
        };
        this.faults
          .apply(call.metadata, abort.signal)
          .then(() => handler(call, answer))
          .catch((error: unknown) => finish(error as Error));
      }),
    );
  }

  private report(method: string, original: unknown, { error, incidentId }: MappedError): void {
    if (incidentId) {
      this.logger.error('unexpected error while serving a call', { method, incident_id: incidentId, error: original });
    } else {
      this.logger.debug('call failed', { method, code: statusName(error.code), details: error.details });
    }
  }
}
