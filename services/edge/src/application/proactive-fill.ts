import { FailedPreconditionError } from '@streamplane/platform/errors';
import { FillPacer, leadingSegments, segmentBytes, findRendition, type FillWindow } from '../domain';
import { delay, type FillPlans, type TitleMediaSource, type Timers } from './ports';
import type { SegmentStore } from './segment-store';

export interface FillPolicy {
  readonly window: FillWindow;
  /** The fill's share of the appliance's uplink from the origin. */
  readonly capBitsPerSecond: number;
  /** Leading segments of each rendition copied per title: the start of a play, for every quality. */
  readonly segmentsPerRendition: number;
  /** How many of the region's most demanded titles steering plans for. */
  readonly maxTitles: number;
}

export type FillOutcome = 'running' | 'done' | 'window-closed' | 'cache-full' | 'failed' | 'stopped';

export interface FillReport {
  readonly region: string;
  /** Planned titles for the appliances hosted here, most demanded first. */
  readonly titleIds: readonly string[];
  outcome: FillOutcome;
  titlesFilled: number;
  segmentsFilled: number;
  /** Planned segments that were held already, copied by an earlier fill or a viewer's miss. */
  segmentsAlreadyHeld: number;
  bytesFilled: number;
  readonly startedAt: string;
  finishedAt?: string;
  error?: string;
}

/**
 * Proactive caching: steering's PlanFill for a region, applied to the appliances hosted here. The planned
 * titles' leading segments (every rendition) are copied from the origin, most demanded title first, while
 * the fill window is open, under the fill bandwidth cap, and never more than the cache holds (the fill
 * would evict what it had just copied); so the next plays of those titles are hits from the first
 * segment. One fill runs at a time.
 */
export class ProactiveFill {
  private current?: { report: FillReport; stop: AbortController; done: Promise<void> };

  constructor(
    private readonly plans: FillPlans,
    private readonly titles: TitleMediaSource,
    private readonly store: SegmentStore,
    private readonly hosts: (applianceId: string) => boolean,
    private readonly timers: Timers,
    private readonly policy: FillPolicy,
  ) {}

  /** The running or last fill. */
  get latest(): FillReport | undefined {
    return this.current?.report;
  }

  /**
   * Fetches the plan and starts copying in the background; resolves with the report the copy keeps up to
   * date. FailedPreconditionError while a fill runs or outside the fill window.
   */
  async start(region: string): Promise<FillReport> {
    if (this.current?.report.outcome === 'running') {
      throw new FailedPreconditionError(`a fill for ${this.current.report.region} is running; wait for it or stop it`);
    }
    this.requireOpenWindow();
    const entries = (await this.plans.plan(region, this.policy.maxTitles)).filter((entry) =>
      this.hosts(entry.applianceId),
    );
    this.requireOpenWindow(); // the plan may have taken a while
    const report: FillReport = {
      region,
      titleIds: inDemandOrder(entries.map((entry) => entry.titleIds)),
      outcome: 'running',
      titlesFilled: 0,
      segmentsFilled: 0,
      segmentsAlreadyHeld: 0,
      bytesFilled: 0,
      startedAt: new Date(this.timers.nowMs()).toISOString(),
    };
    const stop = new AbortController();
    const done = this.copy(report, stop.signal).then(
      (outcome) => this.finish(report, outcome),
      (error: unknown) => this.finish(report, 'failed', (error as Error).message),
    );
    this.current = { report, stop, done };
    return report;
  }

  /** Stops the running fill after the segment in transfer; resolves once it has stopped. */
  async stop(): Promise<void> {
    this.current?.stop.abort();
    await this.current?.done;
  }

  private requireOpenWindow(): void {
    if (!this.policy.window.isOpen(new Date(this.timers.nowMs()))) {
      throw new FailedPreconditionError(`outside the fill window (${this.policy.window.toString()})`);
    }
  }

  private async copy(report: FillReport, stopped: AbortSignal): Promise<FillOutcome> {
    const pacer = new FillPacer(this.policy.capBitsPerSecond);
    for (const titleId of report.titleIds) {
      const media = await this.titles.media(titleId);
      for (const ref of leadingSegments(media, this.policy.segmentsPerRendition)) {
        if (stopped.aborted) return 'stopped';
        if (!this.policy.window.isOpen(new Date(this.timers.nowMs()))) return 'window-closed';
        const bytes = segmentBytes(media, findRendition(media, ref.renditionId)!, ref.segment);
        if (this.store.holds(ref)) {
          report.segmentsAlreadyHeld += 1;
          continue;
        }
        if (report.bytesFilled + bytes > this.store.capacityBytes) return 'cache-full';
        const arrivesAtMs = pacer.book(bytes, this.timers.nowMs());
        if (await this.store.prefill(ref, bytes, delay(this.timers, arrivesAtMs - this.timers.nowMs()))) {
          report.segmentsFilled += 1;
          report.bytesFilled += bytes;
        }
      }
      report.titlesFilled += 1;
    }
    return 'done';
  }

  private finish(report: FillReport, outcome: FillOutcome, error?: string): void {
    report.outcome = outcome;
    report.finishedAt = new Date(this.timers.nowMs()).toISOString();
    if (error) report.error = error;
  }
}

/** Each appliance's titles are in demand order: interleaving them by rank keeps the union in that order. */
function inDemandOrder(lists: ReadonlyArray<readonly string[]>): string[] {
  const ordered = new Set<string>();
  const longest = Math.max(0, ...lists.map((list) => list.length));
  for (let rank = 0; rank < longest; rank++) {
    for (const list of lists) if (rank < list.length) ordered.add(list[rank]!);
  }
  return [...ordered];
}
