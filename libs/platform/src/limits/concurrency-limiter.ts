/**
 * Admission by an adaptive limit, with two priorities. A critical call (the play path) is admitted while
 * fewer calls than the limit are in flight; a sheddable one (batch work: fill plans, demand predictions,
 * snapshot loads) only while the in-flight calls leave a share of the limit free, so under load batch work
 * is refused first and the play path keeps the capacity. Refused calls are never queued: the caller
 * learns at once and is told when to come back. Transport-free: the gRPC server and client adapt it.
 */
export type CallPriority = 'critical' | 'sheddable';

export const CALL_PRIORITIES: readonly CallPriority[] = ['critical', 'sheddable'];

/** What the limiter needs of a limit algorithm (Gradient2Limit). */
export interface AdaptiveLimit {
  readonly current: number;
  readonly typicalRttMs: number;
  onSample(rttMs: number, inFlight: number): void;
  onDrop(): void;
}

export interface LimiterOptions {
  /** Share of the limit sheddable calls may use; the rest is kept for critical ones. */
  sheddableShare: number;
  /** Bounds of the retry-after a refusal suggests, in ms. */
  minRetryAfterMs: number;
  maxRetryAfterMs: number;
  /**
   * A call slower than this is taken as a drop (the limit backs off) rather than a sample. Gradient2
   * compares latency with its own long-term average, which a long overload drags up with it; this keeps
   * the limit under the absolute latency the callers' deadlines allow. Undefined: no such bound.
   */
  slowCallMs?: number;
}

export const DEFAULT_LIMITER: LimiterOptions = { sheddableShare: 0.5, minRetryAfterMs: 20, maxRetryAfterMs: 1_000 };

/** An admitted call; exactly one of its methods is called when the call ends. */
export interface AdmittedCall {
  /** It ended with an answer (or a caller error): its round trip is a latency sample. */
  completed(rttMs: number): void;
  /**
   * It failed (its own dependency, a refused connection): a latency sample only when it took at least a
   * typical call's time. Fast failures say nothing of how long this side takes, and would otherwise let
   * the limit grow on calls that did no work.
   */
  failed(rttMs: number): void;
  /** It ran out of time: the deadline passed before it was answered. */
  dropped(): void;
  /** It ended without saying anything about this side's latency (e.g. a refused connection). */
  ignored(): void;
}

export class ConcurrencyLimiter {
  private inFlightCalls = 0;
  private readonly refusals: Record<CallPriority, number> = { critical: 0, sheddable: 0 };
  private readonly options: LimiterOptions;

  constructor(
    private readonly limit: AdaptiveLimit,
    options: Partial<LimiterOptions> = {},
  ) {
    this.options = { ...DEFAULT_LIMITER, ...options };
  }

  get inFlight(): number {
    return this.inFlightCalls;
  }

  get currentLimit(): number {
    return this.limit.current;
  }

  /** Calls refused so far, by priority. */
  refused(priority: CallPriority): number {
    return this.refusals[priority];
  }

  /** How long a refused caller should wait before trying again: about one typical call. */
  get retryAfterMs(): number {
    const { minRetryAfterMs, maxRetryAfterMs } = this.options;
    return Math.round(Math.min(maxRetryAfterMs, Math.max(minRetryAfterMs, this.limit.typicalRttMs)));
  }

  private sample(rttMs: number, inFlight: number): void {
    const { slowCallMs } = this.options;
    if (slowCallMs !== undefined && rttMs >= slowCallMs) this.limit.onDrop();
    else this.limit.onSample(rttMs, inFlight);
  }

  /** Admits a call, or answers undefined (counted) when the limit leaves no room for its priority. */
  tryAcquire(priority: CallPriority): AdmittedCall | undefined {
    const room =
      priority === 'critical' ? this.limit.current : Math.floor(this.limit.current * this.options.sheddableShare);
    if (this.inFlightCalls >= room) {
      this.refusals[priority] += 1;
      return undefined;
    }
    this.inFlightCalls += 1;
    const inFlightAtStart = this.inFlightCalls;
    let ended = false;
    const end = (): boolean => {
      if (ended) return false;
      ended = true;
      this.inFlightCalls -= 1;
      return true;
    };
    return {
      completed: (rttMs) => {
        if (end()) this.sample(rttMs, inFlightAtStart);
      },
      failed: (rttMs) => {
        if (end() && rttMs >= this.limit.typicalRttMs) this.sample(rttMs, inFlightAtStart);
      },
      dropped: () => {
        if (end()) this.limit.onDrop();
      },
      ignored: () => {
        end();
      },
    };
  }
}
