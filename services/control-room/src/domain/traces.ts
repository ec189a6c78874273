import { CLIENT_EVENTS } from './platform-metrics';

/**
 * The last traces the services exported, grouped by trace id and bounded in memory (a count of traces and
 * a count of spans, whichever is reached first evicts the trace written least recently), and drawn as a
 * waterfall: spans in tree order, placed relative to the trace's start, with their resilience events
 * (retries, breaker rejections, fallbacks, …) as marks.
 */

export type AttributeValue = string | number | boolean | Array<string | number | boolean>;
export type SpanAttributes = Record<string, AttributeValue>;
export type SpanKindName = 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
export type SpanStatusName = 'UNSET' | 'OK' | 'ERROR';

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root. */
  readonly parentSpanId: string;
  /** The resource's service.name. */
  readonly service: string;
  readonly name: string;
  readonly kind: SpanKindName;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly status: SpanStatusName;
  readonly statusMessage: string;
  readonly attributes: SpanAttributes;
  readonly events: ReadonlyArray<{
    readonly name: string;
    readonly timeNs: bigint;
    readonly attributes: SpanAttributes;
  }>;
}

export interface TraceLimits {
  readonly maxTraces: number;
  readonly maxSpans: number;
}

export interface TraceSummary {
  readonly traceId: string;
  readonly rootService: string;
  readonly rootName: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly spanCount: number;
  readonly errorCount: number;
  /** The services the trace went through, in order of first appearance. */
  readonly services: string[];
  /** The distinct marks of its spans. */
  readonly marks: string[];
}

export interface WaterfallSpan {
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly service: string;
  readonly name: string;
  readonly kind: SpanKindName;
  /** From the trace's start. */
  readonly startMs: number;
  readonly durationMs: number;
  /** 0 for a root, 1 for its children, … */
  readonly depth: number;
  readonly status: SpanStatusName;
  readonly statusMessage: string;
  readonly marks: string[];
  readonly attributes: SpanAttributes;
  readonly events: Array<{ name: string; atMs: number; attributes: SpanAttributes }>;
}

/** Span events that mark a span in the waterfall: what the resilient client did to the call. */
const MARK_EVENTS = new Set<string>(Object.values(CLIENT_EVENTS));
/** The attempt number of an attempt's CLIENT span; above 1 the attempt is a retry. */
const ATTEMPT_ATTRIBUTE = 'streamplane.attempt';

const NS_PER_MS = 1_000_000n;
const toMs = (ns: bigint): number => Number((ns * 1000n) / NS_PER_MS) / 1000;

export class TraceStore {
  /** In order of the last write: the first is the one to evict. */
  private readonly traces = new Map<string, Map<string, ReceivedSpan>>();
  private spanTotal = 0;
  /** Spans not kept because their trace alone already held maxSpans. */
  droppedSpans = 0;

  constructor(private readonly limits: TraceLimits) {}

  get traceCount(): number {
    return this.traces.size;
  }

  get spanCount(): number {
    return this.spanTotal;
  }

  add(spans: Iterable<ReceivedSpan>): void {
    for (const span of spans) {
      let trace = this.traces.get(span.traceId);
      if (trace) this.traces.delete(span.traceId);
      else trace = new Map();
      this.traces.set(span.traceId, trace);
      if (trace.has(span.spanId)) {
        // The same span again (an exporter retrying a batch): the later copy wins, nothing is added.
        trace.set(span.spanId, span);
      } else if (trace.size >= this.limits.maxSpans) {
        this.droppedSpans++;
      } else {
        trace.set(span.spanId, span);
        this.spanTotal++;
      }
      this.evictBeyondLimits();
    }
  }

  /** The spans of a trace (id in lowercase hex), or undefined when none was received or it was evicted. */
  spans(traceId: string): ReceivedSpan[] | undefined {
    const trace = this.traces.get(traceId.toLowerCase());
    return trace && [...trace.values()];
  }

  /** The `limit` traces that started last, newest first. */
  recent(limit: number): TraceSummary[] {
    return [...this.traces.values()]
      .map((trace) => summarise([...trace.values()]))
      .sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0))
      .slice(0, limit);
  }

  private evictBeyondLimits(): void {
    // The trace just written is the last in the map, and alone it never exceeds either limit.
    while (this.traces.size > this.limits.maxTraces || this.spanTotal > this.limits.maxSpans) {
      const [oldestId, oldest] = this.traces.entries().next().value!;
      this.traces.delete(oldestId);
      this.spanTotal -= oldest.size;
    }
  }
}

/** Roots (no parent, or a parent that never arrived) by start, each followed by its subtree. */
function treeOrder(spans: readonly ReceivedSpan[]): Array<{ span: ReceivedSpan; depth: number }> {
  const byStart = [...spans].sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string, ReceivedSpan[]>();
  for (const span of byStart) {
    if (span.parentSpanId === '' || !ids.has(span.parentSpanId)) continue;
    const siblings = children.get(span.parentSpanId);
    if (siblings) siblings.push(span);
    else children.set(span.parentSpanId, [span]);
  }
  const ordered: Array<{ span: ReceivedSpan; depth: number }> = [];
  const visited = new Set<ReceivedSpan>();
  const visit = (span: ReceivedSpan, depth: number): void => {
    if (visited.has(span)) return;
    visited.add(span);
    ordered.push({ span, depth });
    for (const child of children.get(span.spanId) ?? []) visit(child, depth + 1);
  };
  for (const span of byStart) if (span.parentSpanId === '' || !ids.has(span.parentSpanId)) visit(span, 0);
  // A cycle of parent ids would leave spans unreached: show them rather than hide them.
  for (const span of byStart) visit(span, 0);
  return ordered;
}

function marksOf(span: ReceivedSpan): string[] {
  const marks = new Set(span.events.map((event) => event.name).filter((name) => MARK_EVENTS.has(name)));
  const attempt = span.attributes[ATTEMPT_ATTRIBUTE];
  if (typeof attempt === 'number' && attempt > 1) marks.add(CLIENT_EVENTS.retry);
  return [...marks];
}

function bounds(spans: readonly ReceivedSpan[]): { startNs: bigint; endNs: bigint } {
  let startNs = spans[0]!.startNs;
  let endNs = spans[0]!.endNs;
  for (const span of spans) {
    if (span.startNs < startNs) startNs = span.startNs;
    if (span.endNs > endNs) endNs = span.endNs;
  }
  return { startNs, endNs };
}

function summarise(spans: readonly ReceivedSpan[]): TraceSummary {
  const ordered = treeOrder(spans);
  const root = ordered[0]!.span;
  const { startNs, endNs } = bounds(spans);
  return {
    traceId: root.traceId,
    rootService: root.service,
    rootName: root.name,
    startedAt: new Date(Number(startNs / NS_PER_MS)).toISOString(),
    durationMs: toMs(endNs - startNs),
    spanCount: spans.length,
    errorCount: spans.filter((span) => span.status === 'ERROR').length,
    services: [...new Set(ordered.map(({ span }) => span.service))],
    marks: [...new Set(spans.flatMap(marksOf))],
  };
}

/** The spans of one trace as the waterfall draws them. */
export function waterfall(spans: readonly ReceivedSpan[]): WaterfallSpan[] {
  if (spans.length === 0) return [];
  const { startNs } = bounds(spans);
  return treeOrder(spans).map(({ span, depth }) => ({
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    service: span.service,
    name: span.name,
    kind: span.kind,
    startMs: toMs(span.startNs - startNs),
    durationMs: toMs(span.endNs > span.startNs ? span.endNs - span.startNs : 0n),
    depth,
    status: span.status,
    statusMessage: span.statusMessage,
    marks: marksOf(span),
    attributes: span.attributes,
    events: span.events.map((event) => ({
      name: event.name,
      atMs: toMs(event.timeNs - startNs),
      attributes: event.attributes,
    })),
  }));
}
