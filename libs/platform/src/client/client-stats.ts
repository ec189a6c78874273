import type { BreakerState } from './breakers';

/** Counters per target method, read by tests and exported as metrics. */
export interface MethodStats {
  /** Calls made by the application (each may take several attempts). */
  calls: number;
  /** Attempts sent to the network, first ones and retries. */
  attempts: number;
  retries: number;
  /** Retries not made because the target's retry budget was spent. */
  retryBudgetExhausted: number;
  /** Calls refused at once because the breaker was open. */
  breakerRejections: number;
  /** Calls not sent because the target refuses most calls (client-side throttling). */
  throttled: number;
  /** Calls not sent because the target already had its adaptive limit of calls in flight. */
  limitRefusals: number;
  fallbacks: number;
  /** Calls failed with UNAVAILABLE because a fail-closed dependency could not answer. */
  failedClosed: number;
  /** Breaker states entered, in order. */
  breakerTransitions: BreakerState[];
}

export function emptyStats(): MethodStats {
  return {
    calls: 0,
    attempts: 0,
    retries: 0,
    retryBudgetExhausted: 0,
    breakerRejections: 0,
    throttled: 0,
    limitRefusals: 0,
    fallbacks: 0,
    failedClosed: 0,
    breakerTransitions: [],
  };
}
