import { status as GrpcStatus } from '@grpc/grpc-js';
import CircuitBreaker from 'opossum';
import { EventEmitter } from 'node:events';
import { isStatusError } from '../errors/grpc-status';

/**
 * Circuit breaker settings (Hystrix's defaults, as the design fixes them): a breaker opens when, within a
 * 10 s rolling window of at least 20 calls, half or more failed; after ~5 s it lets one trial call through.
 */
export interface BreakerOptions {
  volumeThreshold: number;
  errorThresholdPercentage: number;
  rollingWindowMs: number;
  resetTimeoutMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = {
  volumeThreshold: 20,
  errorThresholdPercentage: 50,
  rollingWindowMs: 10_000,
  resetTimeoutMs: 5_000,
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
        resetTimeout: this.options.resetTimeoutMs,
        errorFilter: isCallerError,
        rotateBucketController: this.rotation,
        enableSnapshots: false,
        rollingPercentilesEnabled: false,
      });
      this.breakers.set(key, breaker);
    }
    return breaker;
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
