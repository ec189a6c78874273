import { RollingCounts } from './rolling-counts';

/**
 * Client-side adaptive throttling, as in Google's SRE book ("Handling Overload", chapter 21): over a
 * rolling window, a client counts the requests it made and the ones the backend accepted, and rejects a
 * new request locally with probability max(0, (requests − K·accepts) / (requests + 1)). While the backend
 * accepts everything nothing is rejected; once it refuses more than 1/K of what it gets, the client
 * absorbs the excess itself instead of sending requests that will only be refused. K = 2 lets through
 * twice what the backend accepts, so it still sees enough traffic to show it has recovered.
 */
export interface ThrottleOptions {
  /** The SRE book's K: how many requests per accepted one may still be sent. */
  multiplier: number;
  windowMs: number;
  buckets: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { multiplier: 2, windowMs: 30_000, buckets: 10 };

export class AdaptiveThrottle {
  private readonly counts: RollingCounts<'requests' | 'accepts'>;
  private readonly options: ThrottleOptions;

  constructor(
    options: Partial<ThrottleOptions> = {},
    now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    this.options = { ...DEFAULT_THROTTLE, ...options };
    this.counts = new RollingCounts(['requests', 'accepts'], this.options.windowMs, this.options.buckets, now);
  }

  /** The probability with which the next request is rejected locally. */
  get rejectionProbability(): number {
    const requests = this.counts.total('requests');
    return Math.max(0, (requests - this.options.multiplier * this.counts.total('accepts')) / (requests + 1));
  }

  /**
   * Whether to reject the next request here. A rejected request counts as a request at once (so the
   * probability holds while the backend refuses); one let through counts when its answer comes.
   */
  rejectsNext(): boolean {
    const rejected = this.random() < this.rejectionProbability;
    if (rejected) this.counts.add('requests');
    return rejected;
  }

  /**
   * A request sent came back: accepted (answered, whatever the answer) or refused as overloaded. Counted
   * on its answer rather than on its sending, so that a burst of requests still in flight does not look
   * like a burst of refusals.
   */
  answered(accepted: boolean): void {
    this.counts.add('requests');
    if (accepted) this.counts.add('accepts');
  }
}
