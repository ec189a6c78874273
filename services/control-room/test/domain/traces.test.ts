import { TraceStore, waterfall, type ReceivedSpan } from '../../src/domain';

const MS = 1_000_000n;
const T0 = 1_700_000_000_000n * MS;

const traceId = (n: number) => n.toString(16).padStart(32, '0');
const spanId = (n: number) => n.toString(16).padStart(16, '0');

function span(trace: number, id: number, fields: Partial<ReceivedSpan> = {}): ReceivedSpan {
  return {
    traceId: traceId(trace),
    spanId: spanId(id),
    parentSpanId: '',
    service: 'catalog',
    name: 'streamplane.catalog.v1.CatalogService/GetTitle',
    kind: 'SERVER',
    startNs: T0,
    endNs: T0 + 10n * MS,
    status: 'UNSET',
    statusMessage: '',
    attributes: {},
    events: [],
    ...fields,
  };
}

describe('the trace store', () => {
  it('groups spans by trace id, whatever batches they arrive in', () => {
    const store = new TraceStore({ maxTraces: 10, maxSpans: 100 });
    store.add([span(1, 1), span(2, 1)]);
    store.add([span(1, 2, { parentSpanId: spanId(1) })]);
    expect(store.spans(traceId(1))!.map((s) => s.spanId)).toEqual([spanId(1), spanId(2)]);
    expect(store.spans(traceId(2))).toHaveLength(1);
    expect(store.spans(traceId(3))).toBeUndefined();
    expect([store.traceCount, store.spanCount]).toEqual([2, 3]);
  });

  it('keeps a span sent twice (an exporter retrying) once', () => {
    const store = new TraceStore({ maxTraces: 10, maxSpans: 100 });
    store.add([span(1, 1), span(1, 1, { name: 'again' })]);
    expect(store.spans(traceId(1))!.map((s) => s.name)).toEqual(['again']);
    expect(store.spanCount).toBe(1);
  });

  it('evicts the trace written least recently when one more would exceed the trace limit', () => {
    const store = new TraceStore({ maxTraces: 3, maxSpans: 100 });
    for (const trace of [1, 2, 3]) store.add([span(trace, 1)]);
    store.add([span(1, 2)]); // trace 1 is written again: trace 2 is now the oldest
    store.add([span(4, 1)]);
    expect([1, 2, 3, 4].map((trace) => store.spans(traceId(trace)) !== undefined)).toEqual([true, false, true, true]);
    expect(store.traceCount).toBe(3);
  });

  it('never holds more spans than its limit, evicting whole traces, oldest first', () => {
    const store = new TraceStore({ maxTraces: 100, maxSpans: 10 });
    let most = 0;
    for (let trace = 1; trace <= 20; trace++) {
      store.add([1, 2, 3].map((id) => span(trace, id)));
      most = Math.max(most, store.spanCount);
    }
    expect(most).toBeLessThanOrEqual(10);
    // Three spans a trace: the last three traces fit, the fourth-last was evicted whole.
    expect(store.spanCount).toBe(9);
    expect([17, 18, 19, 20].map((trace) => store.spans(traceId(trace))?.length)).toEqual([undefined, 3, 3, 3]);
  });

  it('drops the spans of one trace beyond the span limit instead of evicting that trace', () => {
    const store = new TraceStore({ maxTraces: 10, maxSpans: 5 });
    store.add(Array.from({ length: 8 }, (_, index) => span(1, index + 1)));
    expect(store.spans(traceId(1))).toHaveLength(5);
    expect(store.droppedSpans).toBe(3);
  });

  it('summarises the newest traces first: root, duration, errors, services and resilience marks', () => {
    const store = new TraceStore({ maxTraces: 10, maxSpans: 100 });
    store.add([
      span(1, 1, { service: 'playback-authorization', name: 'AuthorizePlayback', endNs: T0 + 50n * MS }),
      span(1, 2, {
        parentSpanId: spanId(1),
        service: 'playback-authorization',
        name: 'billing/GetEntitlement',
        kind: 'INTERNAL',
        startNs: T0 + 5n * MS,
        events: [{ name: 'retry', timeNs: T0 + 7n * MS, attributes: { attempt: 2 } }],
      }),
      span(1, 3, { parentSpanId: spanId(2), service: 'billing', status: 'ERROR', startNs: T0 + 6n * MS }),
    ]);
    store.add([span(2, 1, { startNs: T0 + 1_000n * MS, endNs: T0 + 1_001n * MS })]);
    expect(store.recent(10)).toEqual([
      expect.objectContaining({ traceId: traceId(2), spanCount: 1 }),
      {
        traceId: traceId(1),
        rootService: 'playback-authorization',
        rootName: 'AuthorizePlayback',
        startedAt: new Date(Number(T0 / MS)).toISOString(),
        durationMs: 50,
        spanCount: 3,
        errorCount: 1,
        services: ['playback-authorization', 'billing'],
        marks: ['retry'],
      },
    ]);
    expect(store.recent(1)).toHaveLength(1);
  });
});

describe('the waterfall', () => {
  it('orders spans as a tree (children by start, under their parent), placed from the trace’s start', () => {
    const spans = [
      span(1, 3, { parentSpanId: spanId(1), startNs: T0 + 20n * MS, endNs: T0 + 30n * MS, service: 'billing' }),
      span(1, 1, { startNs: T0, endNs: T0 + 40n * MS, service: 'playback-authorization' }),
      span(1, 2, { parentSpanId: spanId(1), startNs: T0 + 2n * MS, endNs: T0 + 12_500_000n + 2n * MS }),
      span(1, 4, { parentSpanId: spanId(2), startNs: T0 + 3n * MS, endNs: T0 + 4n * MS, service: 'catalog' }),
      // Its parent never arrived: shown as a root, after the real one.
      span(1, 5, { parentSpanId: spanId(99), startNs: T0 + 35n * MS, endNs: T0 + 36n * MS }),
    ];
    const drawn = waterfall(spans);
    expect(drawn.map(({ spanId: id, depth, startMs, durationMs }) => [id, depth, startMs, durationMs])).toEqual([
      [spanId(1), 0, 0, 40],
      [spanId(2), 1, 2, 12.5],
      [spanId(4), 2, 3, 1],
      [spanId(3), 1, 20, 10],
      [spanId(5), 0, 35, 1],
    ]);
  });

  it('marks retries, breaker rejections and fallbacks from span events, and attempts after the first', () => {
    const [call, retried] = waterfall([
      span(1, 1, {
        kind: 'INTERNAL',
        events: [
          { name: 'retry', timeNs: T0, attributes: {} },
          { name: 'breaker_rejected', timeNs: T0, attributes: {} },
          { name: 'fallback', timeNs: T0 + MS, attributes: { code: 'UNAVAILABLE' } },
          { name: 'exception', timeNs: T0, attributes: {} },
        ],
      }),
      span(1, 2, { parentSpanId: spanId(1), kind: 'CLIENT', attributes: { 'streamplane.attempt': 2 } }),
    ]);
    expect(call!.marks).toEqual(['retry', 'breaker_rejected', 'fallback']);
    expect(call!.events.map((event) => [event.name, event.atMs])).toEqual([
      ['retry', 0],
      ['breaker_rejected', 0],
      ['fallback', 1],
      ['exception', 0],
    ]);
    expect(retried!.marks).toEqual(['retry']);
  });
});
