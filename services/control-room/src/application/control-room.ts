import {
  waterfall,
  type ChaosEvent,
  type ChaosEventLog,
  type TraceStore,
  type TraceSummary,
  type WaterfallSpan,
} from '../domain';
import type { WatchedPlatform } from './platform-watcher';

/** The summaries the page lists; the rest stay findable by id. */
const LISTED_TRACES = 100;

export interface ControlRoomOptions {
  /** Jaeger's UI, without a trailing slash: traces then link to `<url>/trace/<id>`. */
  readonly jaegerUrl?: string;
  /** The port the OTLP receiver listens on, or undefined when it is off. */
  readonly otlpPort?: number;
  readonly maxTraces: number;
  readonly maxSpans: number;
  /** What rates, shares and p99 are taken over. */
  readonly windowMs: number;
}

export interface ControlRoomState {
  /** When the platform was last read (ISO 8601); null before the first round. */
  readonly updatedAt: string | null;
  /** Seconds of scrapes that rates, shares, p99 and the breakers' counts cover. */
  readonly windowS: number;
  readonly services: WatchedPlatform['services'];
  readonly edges: WatchedPlatform['edges'];
  readonly breakers: WatchedPlatform['breakers'];
  readonly traces: Array<TraceSummary & { link?: string }>;
  readonly chaosEvents: ChaosEvent[];
  readonly jaegerUrl?: string;
  /** What the trace store holds against its bounds; otlpPort null when no receiver runs. */
  readonly traceStore: {
    otlpPort: number | null;
    traces: number;
    spans: number;
    droppedSpans: number;
    maxTraces: number;
    maxSpans: number;
  };
}

export interface TraceView {
  readonly traceId: string;
  readonly link?: string;
  readonly spans: WaterfallSpan[];
}

/** What the page and its API are answered from: the watched platform, the received traces, chaos events. */
export class ControlRoom {
  constructor(
    private readonly platform: { view(): WatchedPlatform },
    private readonly traces: TraceStore,
    private readonly chaos: ChaosEventLog,
    private readonly options: ControlRoomOptions,
  ) {}

  state(): ControlRoomState {
    const { updatedAt, services, edges, breakers } = this.platform.view();
    return {
      updatedAt: updatedAt?.toISOString() ?? null,
      windowS: this.options.windowMs / 1000,
      services,
      edges,
      breakers,
      traces: this.traces.recent(LISTED_TRACES).map((summary) => ({ ...summary, ...this.linkOf(summary.traceId) })),
      chaosEvents: this.chaos.list(),
      ...(this.options.jaegerUrl ? { jaegerUrl: this.options.jaegerUrl } : {}),
      traceStore: {
        otlpPort: this.options.otlpPort ?? null,
        traces: this.traces.traceCount,
        spans: this.traces.spanCount,
        droppedSpans: this.traces.droppedSpans,
        maxTraces: this.options.maxTraces,
        maxSpans: this.options.maxSpans,
      },
    };
  }

  /** The waterfall of a trace received here, or undefined. */
  trace(traceId: string): TraceView | undefined {
    const spans = this.traces.spans(traceId);
    if (!spans) return undefined;
    return { traceId: traceId.toLowerCase(), ...this.linkOf(traceId), spans: waterfall(spans) };
  }

  recordChaosEvent(event: ChaosEvent): void {
    this.chaos.add(event);
  }

  private linkOf(traceId: string): { link?: string } {
    return this.options.jaegerUrl ? { link: `${this.options.jaegerUrl}/trace/${traceId.toLowerCase()}` } : {};
  }
}
