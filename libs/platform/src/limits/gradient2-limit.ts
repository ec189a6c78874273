/**
 * An adaptive concurrency limit after Netflix concurrency-limits' Gradient2Limit
 * (https://github.com/Netflix/concurrency-limits, core/src/main/java/com/netflix/concurrency/limits/limit/
 * Gradient2Limit.java): the limit follows the ratio of a long-term average round-trip time to the latest
 * one. While latency stays near its long-term level the limit grows by a queue allowance; when latency
 * rises (queueing) the ratio falls below 1 and the limit shrinks, never by more than half a step, so a
 * single outlier cannot empty it. Pure arithmetic over samples: no clock, no transport.
 */
export interface Gradient2Options {
  initialLimit: number;
  minLimit: number;
  maxLimit: number;
  /** How far (as a ratio) latency may rise over its long-term average before the limit shrinks. */
  tolerance: number;
  /** Weight of each new estimate (0..1]: smaller is steadier, larger reacts faster. */
  smoothing: number;
  /** Samples in the long-term RTT's exponential average. */
  longWindow: number;
  /** Samples averaged plainly before the exponential average takes over. */
  warmUpWindow: number;
  /** Calls allowed to queue above the estimated capacity: Netflix's default grows with the limit's root. */
  queueSize: (limit: number) => number;
  /**
   * Latency that is good enough whatever the long-term average says (0: none, Netflix's behaviour).
   * Gradient2 alone reads any rise in latency as congestion, so a server kept busy by more callers than
   * before, answering each well within its callers' deadlines, would refuse the extra callers and have
   * them retry: work added, nothing saved. Calls answered within this long never shrink the limit.
   */
  acceptableRttMs: number;
}

const DROP_BACKOFF = 0.9;

export const DEFAULT_GRADIENT2: Gradient2Options = {
  initialLimit: 40,
  minLimit: 20,
  maxLimit: 1_000,
  tolerance: 2,
  smoothing: 0.2,
  longWindow: 600,
  warmUpWindow: 10,
  queueSize: (limit) => Math.max(4, Math.sqrt(limit)),
  acceptableRttMs: 0,
};

/** Netflix's ExpAvgMeasurement: a plain mean for the first samples, then an exponential average. */
class ExponentialAverage {
  private value = 0;
  private samples = 0;
  private readonly factor: number;

  constructor(
    window: number,
    private readonly warmUpWindow: number,
  ) {
    this.factor = 2 / (window + 1);
  }

  add(sample: number): number {
    if (this.samples < this.warmUpWindow) {
      this.samples += 1;
      this.value += (sample - this.value) / this.samples;
    } else {
      this.value = this.value * (1 - this.factor) + sample * this.factor;
    }
    return this.value;
  }

  scale(by: number): void {
    this.value *= by;
  }

  get current(): number {
    return this.value;
  }
}

export class Gradient2Limit {
  private estimated: number;
  private readonly longRtt: ExponentialAverage;
  private readonly options: Gradient2Options;

  constructor(options: Partial<Gradient2Options> = {}) {
    this.options = { ...DEFAULT_GRADIENT2, ...options };
    this.estimated = this.options.initialLimit;
    this.longRtt = new ExponentialAverage(this.options.longWindow, this.options.warmUpWindow);
  }

  /** The current limit, a whole number of concurrent calls. */
  get current(): number {
    return Math.floor(this.estimated);
  }

  /** The long-term round-trip time, in ms: roughly what a call takes when nothing queues. */
  get typicalRttMs(): number {
    return this.longRtt.current;
  }

  /**
   * A call that ran out of time (its deadline passed): the limit backs off multiplicatively, by
   * Netflix's AIMDLimit backoff ratio. Gradient2 itself ignores drops, but under a long overload its
   * long-term average has drifted up with the queueing it should be seeing, and only drops still show it.
   */
  onDrop(): void {
    this.estimated = Math.max(this.options.minLimit, this.estimated * DROP_BACKOFF);
  }

  /** One call's round-trip time, with the number of calls that were in flight when it started. */
  onSample(rttMs: number, inFlight: number): void {
    const shortRtt = Math.max(rttMs, 1e-3);
    const longRtt = this.longRtt.add(shortRtt);
    // After a long overload the average is far above today's latency: bring it down faster than its
    // window would, so the limit can grow back.
    if (longRtt / shortRtt > 2) this.longRtt.scale(0.95);
    // Calls were not using the limit: latency says nothing about whether it could be higher.
    if (inFlight < this.estimated / 2) return;
    const { tolerance, smoothing, minLimit, maxLimit, queueSize, acceptableRttMs } = this.options;
    const gradient = shortRtt <= acceptableRttMs ? 1 : Math.max(0.5, Math.min(1, (tolerance * longRtt) / shortRtt));
    const proposed = this.estimated * gradient + queueSize(this.estimated);
    const smoothed = this.estimated * (1 - smoothing) + proposed * smoothing;
    this.estimated = Math.max(minLimit, Math.min(maxLimit, smoothed));
  }
}
