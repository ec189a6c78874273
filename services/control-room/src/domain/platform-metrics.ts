/**
 * The names under which the platform's telemetry (libs/platform/src/telemetry/rpc-telemetry.ts) reaches
 * Prometheus: OpenTelemetry's exporter turns dots into underscores and gives counters `_total`. Kept in
 * one place, so that a renamed instrument is one edit here.
 */
export const METRICS = {
  /** Histogram of calls served, labels rpc_service, rpc_method, rpc_grpc_status_code. */
  serverDuration: 'rpc_server_duration',
  /** Histogram of outbound attempts, labels rpc_service, rpc_method, target, rpc_grpc_status_code. */
  clientDuration: 'rpc_client_duration',
  /** Gauge per breaker ("target/Method"): 0 closed, 1 half-open, 2 open. */
  breakerState: 'streamplane_client_breaker_state',
  /** Counter of resilience events, labels event, target, method. */
  clientEvents: 'streamplane_client_events_total',
  /** Gauges of the adaptive concurrency limits, side=client (per target) or side=server. */
  concurrencyLimit: 'streamplane_concurrency_limit',
  concurrencyInFlight: 'streamplane_concurrency_in_flight',
  /** Counter of calls a server refused at its limit. */
  serverRefused: 'streamplane_server_refused_total',
} as const;

/** Events of `streamplane_client_events_total` (and of the call spans) that the control room shows. */
export const CLIENT_EVENTS = {
  retry: 'retry',
  retryBudgetExhausted: 'retry_budget_exhausted',
  breakerRejected: 'breaker_rejected',
  /** A call the target's adaptive in-flight limit refused before sending it. */
  limitRefused: 'limit_refused',
  /** A first attempt the client-side throttle refused. */
  throttled: 'throttled',
  fallback: 'fallback',
  failClosed: 'fail_closed',
} as const;

export const BREAKER_STATES = ['closed', 'half-open', 'open'] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

/** Whether a gRPC status code (a number) says the called side failed, as its circuit breaker counts it. */
export type IsFailure = (grpcCode: number) => boolean;
