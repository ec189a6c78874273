import type { SegmentRef, TitleMedia } from '../domain';

/** Titles as catalog knows them, with their ladders. */
export interface TitleMediaSource {
  /** The title's media; NotFoundError for a title catalog does not have, UnavailableError when it cannot answer. */
  media(titleId: string): Promise<TitleMedia>;
  /** Whether catalog answers at all (an answer that names no title counts): the appliance's readiness. */
  reachable(): Promise<boolean>;
}

/** One appliance's share of steering's fill plan: titles to copy onto it, most demanded first. */
export interface FillPlanEntry {
  readonly applianceId: string;
  readonly titleIds: readonly string[];
}

export interface FillPlans {
  /**
   * Steering's PlanFill for `region` over its `maxTitles` most demanded titles; NotFoundError for an
   * unknown region, UnavailableError when steering cannot plan.
   */
  plan(region: string, maxTitles: number): Promise<readonly FillPlanEntry[]>;
}

/** Where a segment the appliance does not hold comes from; resolves once the copy has arrived. */
export interface Origin {
  fetch(ref: SegmentRef, bytes: number): Promise<void>;
}

/** Time as numbers and timers: real ones, or a test's ManualClock. */
export interface Timers {
  nowMs(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type FillReason = 'miss' | 'proactive';

/** What the appliance counts (exported for Prometheus by the adapter). */
export interface EdgeMetrics {
  cacheLookup(hit: boolean): void;
  served(bytes: number, resource: 'manifest' | 'segment'): void;
  filled(bytes: number, reason: FillReason): void;
}

export const systemTimers: Timers = {
  nowMs: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export function delay(timers: Timers, ms: number): Promise<void> {
  return new Promise((resolve) => timers.setTimeout(resolve, Math.max(0, ms)));
}
