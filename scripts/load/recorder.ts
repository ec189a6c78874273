import { build, type Histogram } from 'hdr-histogram-js';
import { roundTo } from '../rounding';

/**
 * What a load run measured: every RPC's outcome and its latency from the moment it was meant to start
 * (an arrival's intended time, not when the generator got round to it: no coordinated omission), in HDR
 * histograms per method and per second, and the viewer actions started, overflowed and their stream starts.
 */

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface SecondSummary {
  /** Seconds since the run began. */
  t: number;
  /** Viewer actions whose arrival fell in this second. */
  offered: number;
  /** RPCs that completed in this second. */
  achieved: number;
  /** Successful AuthorizePlayback in this second. */
  sps: number;
  p50: number;
  p99: number;
  /** RPCs that failed in this second. */
  errors: number;
}

const MICROS_PER_MS = 1000;

function histogram(): Histogram {
  // Microseconds, 1 µs to an hour, 3 significant digits.
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

function summarise(h: Histogram): LatencySummary {
  const at = (percentile: number) => roundTo(h.getValueAtPercentile(percentile) / MICROS_PER_MS, 2);
  return { count: h.totalCount, p50: at(50), p90: at(90), p99: at(99), max: roundTo(h.maxValue / MICROS_PER_MS, 2) };
}

interface Second {
  offered: number;
  achieved: number;
  sps: number;
  errors: number;
  latency: Histogram;
}

export class LoadRecorder {
  actions = 0;
  overflow = 0;
  requests = 0;
  ok = 0;
  readonly errors: Record<string, number> = {};
  private readonly byMethod = new Map<string, Histogram>();
  private readonly seconds: Second[] = [];

  constructor(private readonly startedAtMs: number) {}

  /** A viewer action whose arrival time is `intendedMs` was started (or, `overflowed`, refused). */
  arrival(intendedMs: number, overflowed: boolean): void {
    this.second(intendedMs).offered += 1;
    if (overflowed) this.overflow += 1;
    else this.actions += 1;
  }

  requestSent(): void {
    this.requests += 1;
  }

  /** An RPC ended with `code` (a gRPC code name) at `endedMs`; it was meant to start at `intendedMs`. */
  requestEnded(method: string, code: string, intendedMs: number, endedMs: number): void {
    const micros = Math.max(1, Math.round((endedMs - intendedMs) * MICROS_PER_MS));
    let methodHistogram = this.byMethod.get(method);
    if (!methodHistogram) {
      methodHistogram = histogram();
      this.byMethod.set(method, methodHistogram);
    }
    methodHistogram.recordValue(micros);
    const second = this.second(endedMs);
    second.achieved += 1;
    second.latency.recordValue(micros);
    if (code === 'OK') {
      this.ok += 1;
      if (method === 'AuthorizePlayback') second.sps += 1;
    } else {
      this.errors[code] = (this.errors[code] ?? 0) + 1;
      second.errors += 1;
    }
  }

  /** Successful AuthorizePlayback so far. */
  get streamStarts(): number {
    return this.seconds.reduce((sum, second) => sum + (second?.sps ?? 0), 0);
  }

  latency(): Record<string, LatencySummary> {
    return Object.fromEntries(
      [...this.byMethod].sort(([a], [b]) => a.localeCompare(b)).map(([m, h]) => [m, summarise(h)]),
    );
  }

  perSecond(): SecondSummary[] {
    return Array.from({ length: this.seconds.length }, (_, t) => this.secondSummary(t));
  }

  /** The summary of second `t`, for the progress line. */
  secondSummary(t: number): SecondSummary {
    const second = this.seconds[t] ?? this.emptySecond(t);
    const { p50, p99 } = summarise(second.latency);
    return { t, offered: second.offered, achieved: second.achieved, sps: second.sps, p50, p99, errors: second.errors };
  }

  private second(atMs: number): Second {
    const t = Math.max(0, Math.floor((atMs - this.startedAtMs) / 1000));
    return this.seconds[t] ?? this.emptySecond(t);
  }

  private emptySecond(t: number): Second {
    for (let i = this.seconds.length; i <= t; i++) {
      this.seconds[i] = { offered: 0, achieved: 0, sps: 0, errors: 0, latency: histogram() };
    }
    return this.seconds[t]!;
  }
}
