import type { ServiceName } from '@streamplane/contracts';
import { FAULT_METADATA_KEY } from '@streamplane/platform';
import type { Timers } from '../timers';
import type { EndedCall } from '../load/generator';
import type { PlatformCalls } from '../load/platform-calls';
import { LoadRecorder } from '../load/recorder';

/**
 * One cohort of an experiment: what its plays measured, second by second (stream starts, grants that
 * went without an optional part, latency of AuthorizePlayback from its intended start, and, given the
 * fleet, which region steering sent each grant to), and, for the experiment cohort, the calls that carry
 * the fault until it is stopped.
 */

export interface CohortSecond {
  /** Seconds since the experiment began. */
  t: number;
  /** AuthorizePlayback answered in this second, OK or not. */
  plays: number;
  /** Of those, answered OK: the second's stream starts. */
  sps: number;
  /** Of the OK ones, grants with non-empty degraded_features. */
  degraded: number;
  p99Ms: number;
  errors: number;
}

interface GrantAnswer {
  degraded_features?: string[];
  cdn_urls?: Array<{ appliance_id: string; rank: number }>;
}

/** What a Kong game day asks of a grant: the region of an appliance, and the phase a moment falls in. */
export interface GrantPlacement {
  regionOf: (applianceId: string) => string | undefined;
  /**
   * The phase of the run a play belongs to ("before", "evacuated", …), from when it was meant to start to
   * when it ended: a play in flight across a change of rotation was steered on one side of it or the other.
   */
  phaseOf: (intendedMs: number, endedMs: number) => string;
}

const PLAY = 'AuthorizePlayback';

export class CohortRecorder {
  /** AuthorizePlayback outcomes only: the load recorder's seconds, codes and histograms, reused. */
  private readonly plays: LoadRecorder;
  private readonly degradedBySecond: number[] = [];
  private degradedGrants = 0;
  /** By phase, then by region: grants whose best URL is there. */
  readonly servedFrom: Record<string, Record<string, number>> = {};
  /** By phase, then by region: every URL of every grant. */
  readonly urlsByRegion: Record<string, Record<string, number>> = {};

  constructor(
    private readonly startedAtMs: number,
    private readonly placement?: GrantPlacement,
  ) {
    this.plays = new LoadRecorder(startedAtMs);
  }

  /** Sees each call of the cohort's load as it ends; keeps what plays answered. */
  record({ method, outcome, intendedMs, endedMs }: EndedCall): void {
    if (method !== PLAY) return;
    this.plays.requestEnded(method, outcome.code, intendedMs, endedMs);
    if (outcome.code !== 'OK') return;
    const grant = (outcome.response ?? {}) as GrantAnswer;
    if ((grant.degraded_features ?? []).length > 0) {
      const t = Math.max(0, Math.floor((endedMs - this.startedAtMs) / 1000));
      this.degradedBySecond[t] = (this.degradedBySecond[t] ?? 0) + 1;
      this.degradedGrants += 1;
    }
    if (this.placement) this.place(grant, this.placement.phaseOf(intendedMs, endedMs));
  }

  private place(grant: GrantAnswer, phase: string): void {
    const regions = [...(grant.cdn_urls ?? [])]
      .sort((a, b) => a.rank - b.rank)
      .map((url) => this.placement!.regionOf(url.appliance_id) ?? 'unknown');
    if (regions.length === 0) return;
    count((this.servedFrom[phase] ??= {}), regions[0]!);
    for (const region of regions) count((this.urlsByRegion[phase] ??= {}), region);
  }

  second(t: number): CohortSecond {
    const { achieved, sps, p99, errors } = this.plays.secondSummary(t);
    return { t, plays: achieved, sps, degraded: this.degradedBySecond[t] ?? 0, p99Ms: p99, errors };
  }

  /** Every whole second up to `seconds`. */
  perSecond(seconds: number): CohortSecond[] {
    return Array.from({ length: seconds }, (_, t) => this.second(t));
  }

  get totals() {
    const failed = Object.values(this.plays.errors).reduce((sum, n) => sum + n, 0);
    return {
      plays: this.plays.ok + failed,
      ok: this.plays.ok,
      degraded: this.degradedGrants,
      errors: { ...this.plays.errors },
      p99Ms: this.plays.latency()[PLAY]?.p99 ?? 0,
    };
  }
}

function count(tally: Record<string, number>, key: string): void {
  tally[key] = (tally[key] ?? 0) + 1;
}

/**
 * The experiment cohort's calls: each carries the fault (x-streamplane-fault, which the platform passes
 * downstream by itself) until `stop`, after which none does. Counts what it sent faulted, and when.
 */
export class FaultingCalls implements PlatformCalls {
  faultedCalls = 0;
  lastFaultedAtMs?: number;
  stoppedAtMs?: number;

  constructor(
    private readonly inner: PlatformCalls,
    private readonly fault: string,
    private readonly timers: Timers,
  ) {}

  call(service: ServiceName, method: string, request: object, metadata: Record<string, string> = {}) {
    if (this.stoppedAtMs !== undefined) return this.inner.call(service, method, request, metadata);
    this.faultedCalls += 1;
    this.lastFaultedAtMs = this.timers.nowMs();
    return this.inner.call(service, method, request, { ...metadata, [FAULT_METADATA_KEY]: this.fault });
  }

  /** No call sent from now on carries the fault. */
  stop(): void {
    this.stoppedAtMs ??= this.timers.nowMs();
  }

  /** The connection belongs to whoever made `inner`. */
  close(): void {}
}
