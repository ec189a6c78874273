import { status as GrpcStatus } from '@grpc/grpc-js';
import CircuitBreaker from 'opossum';
import { EventEmitter } from 'node:events';
import { isStatusError } from '../errors/grpc-status';

/**
 * Circuit breaker settings. A breaker opens when, within a 10 s rolling window of at least 20 calls, half
 * or more failed (Hystrix's defaults, as the design fixes them), or when half of the last 20 calls failed:
 * after a long run of successes the window alone would wait for thousands of failures. Once open it lets
 * one trial call through after a short reset timeout that doubles while trials fail, up to ~5 s, and
 * starts short again once the breaker has closed.
 */
export interface BreakerOptions {
  volumeThreshold: number;
  errorThresholdPercentage: number;
  rollingWindowMs: number;
  /** The first reset timeout after the breaker opens. */
  firstResetTimeoutMs: number;
  /** The longest reset timeout, reached while trials keep failing. */
  resetTimeoutMs: number;
  /** The last calls looked at for a burst of failures, and how many failed ones among them open the breaker. */
  burstWindow: number;
  burstFailures: number;
}

export const DEFAULT_BREAKER: BreakerOptions = {
  volumeThreshold: 20,
  errorThresholdPercentage: 50,
  rollingWindowMs: 10_000,
  firstResetTimeoutMs: 250,
  resetTimeoutMs: 5_000,
  burstWindow: 20,
  burstFailures: 10,
};

const ROLLING_BUCKETS = 10;

/**
 * Statuses that say the caller asked for something wrong, not that the dependency is failing. They must
 * never open a breaker: a flood of bad ids is not an outage.
 */
const CALLER_ERRORS = new Set<GrpcStatus>([
  GrpcStatus.INVALID_ARGUMENT,
  GrpcStatus.NOT_FOUND,
  GrpcStatus.ALREADY_EXISTS,
  GrpcStatus.PERMISSION_DENIED,
  GrpcStatus.FAILED_PRECONDITION,
  GrpcStatus.OUT_OF_RANGE,
  GrpcStatus.UNAUTHENTICATED,
  GrpcStatus.CANCELLED,
]);

export function isCallerError(error: unknown): boolean {
  return isStatusError(error) && CALLER_ERRORS.has(error.code);
}

/**
 * What never counts as a failure of the target: caller errors, and a refusal by an overloaded target
 * (RESOURCE_EXHAUSTED), which is healthy and saying so; client-side throttling answers that instead.
 */
export function isNotTargetFailure(error: unknown): boolean {
  return isCallerError(error) || (isStatusError(error) && error.code === GrpcStatus.RESOURCE_EXHAUSTED);
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export function breakerState(breaker: CircuitBreaker): BreakerState {
  if (breaker.opened) return 'open';
  if (breaker.halfOpen) return 'half-open';
  return 'closed';
}

/**
 * Makes and keeps the breakers of one process. All of them rotate their rolling-window buckets on one
 * shared timer instead of one timer each.
 */
export class BreakerRegistry {
  private readonly rotation = new EventEmitter();
  private readonly timer: NodeJS.Timeout;
  private readonly breakers = new Map<string, CircuitBreaker<[() => Promise<unknown>], unknown>>();

  constructor(private readonly options: BreakerOptions = DEFAULT_BREAKER) {
    this.rotation.setMaxListeners(0);
    this.timer = setInterval(() => this.rotation.emit('rotate'), options.rollingWindowMs / ROLLING_BUCKETS);
    this.timer.unref();
  }

  /**
   * The breaker for `key` (target/method), created once. It guards whatever attempt it is fired with:
   * `breaker.fire(() => attempt())`.
   */
  get(key: string): CircuitBreaker<[() => Promise<unknown>], unknown> {
    let breaker = this.breakers.get(key);
    if (!breaker) {
      breaker = new CircuitBreaker((attempt: () => Promise<unknown>) => attempt(), {
        name: key,
        timeout: false, // every call carries its own gRPC deadline instead
        volumeThreshold: this.options.volumeThreshold,
        errorThresholdPercentage: this.options.errorThresholdPercentage,
        rollingCountTimeout: this.options.rollingWindowMs,
        rollingCountBuckets: ROLLING_BUCKETS,
        resetTimeout: this.options.firstResetTimeoutMs,
        errorFilter: isNotTargetFailure,
        rotateBucketController: this.rotation,
        enableSnapshots: false,
        rollingPercentilesEnabled: false,
      });
      this.watchBursts(breaker);
      this.growResetTimeouts(breaker);
      this.breakers.set(key, breaker);
    }
    return breaker;
  }

  /** Forgets the breaker for `key`: it stops listening to the shared timer, and the next get() makes a new one. */
  release(key: string): void {
    this.breakers.get(key)?.shutdown();
    this.breakers.delete(key);
  }

  /** Opens `breaker` when `burstFailures` of its last `burstWindow` calls failed. */
  private watchBursts(breaker: CircuitBreaker<[() => Promise<unknown>], unknown>): void {
    const { burstWindow, burstFailures, volumeThreshold } = this.options;
    const recentFailures: boolean[] = [];
    let failures = 0;
    let seen = 0;
    const record = (failed: boolean): void => {
      seen += 1;
      recentFailures.push(failed);
      if (failed) failures += 1;
      if (recentFailures.length > burstWindow && recentFailures.shift()) failures -= 1;
      // volumeThreshold holds here too: a handful of first calls says too little.
      if (failed && seen >= volumeThreshold && failures >= burstFailures && breaker.closed) breaker.open();
    };
    breaker.on('success', () => record(false));
    breaker.on('failure', () => record(true));
    breaker.on('close', () => {
      recentFailures.length = 0;
      failures = 0;
      seen = 0;
    });
  }

  /**
   * opossum arms its reset timer with options.resetTimeout as it opens; setting the next value as each
   * trial begins makes the timeouts double while trials fail, and closing starts them short again.
   */
  private growResetTimeouts(breaker: CircuitBreaker<[() => Promise<unknown>], unknown>): void {
    const { firstResetTimeoutMs, resetTimeoutMs } = this.options;
    // Public at run time, though opossum's type definitions leave it out.
    const { options } = breaker as unknown as { options: { resetTimeout: number } };
    breaker.on('halfOpen', () => {
      options.resetTimeout = Math.min(resetTimeoutMs, options.resetTimeout * 2);
    });
    breaker.on('close', () => {
      options.resetTimeout = firstResetTimeoutMs;
    });
  }

  states(): Map<string, BreakerState> {
    return new Map([...this.breakers].map(([key, breaker]) => [key, breakerState(breaker)]));
  }

  close(): void {
    clearInterval(this.timer);
    for (const breaker of this.breakers.values()) breaker.shutdown();
    this.breakers.clear();
  }
}
