import { isTargetFailure } from '../../src/application/platform-watcher';
import {
  histogramQuantile,
  parsePrometheusText,
  platformView,
  ScrapeHistory,
  ScrapeWindow,
  trafficOf,
  type ObservedComponent,
  type Scrape,
} from '../../src/domain';

const BOUNDS = ['5', '10', '25', '50', '100', '+Inf'];

/** Prometheus text of a histogram series: its count, sum and cumulative buckets. */
function histogram(name: string, labels: string, cumulative: number[]): string {
  const lines = BOUNDS.map((le, index) => `${name}_bucket{${labels},le="${le}"} ${cumulative[index]}`);
  return [...lines, `${name}_count{${labels}} ${cumulative.at(-1)}`, `${name}_sum{${labels}} 0`].join('\n');
}

const scrape = (atMs: number, ...parts: string[]): Scrape => {
  const { samples, problems } = parsePrometheusText(parts.join('\n'));
  expect(problems).toEqual([]);
  return { atMs, samples };
};

const served = (code: number, cumulative: number[]) =>
  histogram('rpc_server_duration', `rpc_method="GetTitle",rpc_grpc_status_code="${code}"`, cumulative);
const attempts = (target: string, method: string, code: number, cumulative: number[]) =>
  histogram(
    'rpc_client_duration',
    `rpc_method="${method}",target="${target}",rpc_grpc_status_code="${code}"`,
    cumulative,
  );

describe('histogramQuantile, as Prometheus computes it', () => {
  const buckets = (pairs: Array<[number, number]>) =>
    pairs.map(([upperBound, cumulativeCount]) => ({ upperBound, cumulativeCount }));

  it('interpolates linearly within the bucket the rank falls in', () => {
    // 100 observations: 50 up to 10 ms, 40 in (10, 20], 10 in (20, 40]. p99 is rank 99: 9/10 of (20, 40].
    const histogram = buckets([
      [10, 50],
      [20, 90],
      [40, 100],
      [Infinity, 100],
    ]);
    expect(histogramQuantile(0.99, histogram)).toBeCloseTo(38, 9);
    expect(histogramQuantile(0.5, histogram)).toBeCloseTo(10, 9);
    expect(histogramQuantile(0.7, histogram)).toBeCloseTo(15, 9);
  });

  it('answers the highest finite bound for a rank in +Inf, the lowest bucket from 0, and nothing without data', () => {
    expect(
      histogramQuantile(
        0.99,
        buckets([
          [10, 1],
          [Infinity, 10],
        ]),
      ),
    ).toBe(10);
    expect(
      histogramQuantile(
        0.5,
        buckets([
          [10, 4],
          [Infinity, 4],
        ]),
      ),
    ).toBe(5);
    expect(
      histogramQuantile(
        0.99,
        buckets([
          [10, 0],
          [Infinity, 0],
        ]),
      ),
    ).toBeUndefined();
    expect(histogramQuantile(0.99, buckets([[10, 3]]))).toBeUndefined();
  });
});

describe('traffic from two scrapes', () => {
  // Ten seconds apart: 200 calls served OK (the later 100 slower), 20 UNAVAILABLE (14), 30 NOT_FOUND (5).
  const before = scrape(0, served(0, [100, 100, 100, 100, 100, 100]), served(14, [0, 0, 0, 0, 0, 0]));
  const after = scrape(
    10_000,
    served(0, [100, 150, 200, 300, 300, 300]),
    served(14, [20, 20, 20, 20, 20, 20]),
    served(5, [30, 30, 30, 30, 30, 30]),
  );

  it('gives the rate, the share that failed as breakers count failures, and p99 from the bucket increases', () => {
    const traffic = trafficOf([new ScrapeWindow(after, before)], 'rpc_server_duration', {}, isTargetFailure);
    // 250 calls in 10 s; caller errors (NOT_FOUND) are not failures: 20 of 250.
    expect(traffic.requestsPerS).toBe(25);
    expect(traffic.errorShare).toBe(0.08);
    // Increases by bound: ≤5: 50, ≤10: 100, ≤25: 150, ≤50: 250. Rank 247.5 is 97.5/100 into (25, 50].
    expect(traffic.p99Ms).toBeCloseTo(49.4, 1);
  });

  it('counts a series that restarted (a process that came back) from zero, not as a negative increase', () => {
    const restarted = scrape(20_000, served(0, [10, 10, 10, 10, 10, 10]));
    const traffic = trafficOf([new ScrapeWindow(restarted, after)], 'rpc_server_duration', {}, isTargetFailure);
    expect(traffic.requestsPerS).toBe(1);
    expect(traffic.errorShare).toBe(0);
  });

  it('has nothing to rate from a single scrape, and nothing at all without one', () => {
    expect(trafficOf([new ScrapeWindow(after)], 'rpc_server_duration', {}, isTargetFailure)).toEqual({
      requestsPerS: 0,
      errorShare: 0,
      p99Ms: null,
    });
    expect(trafficOf([], 'rpc_server_duration', {}, isTargetFailure)).toEqual({
      requestsPerS: null,
      errorShare: null,
      p99Ms: null,
    });
  });
});

describe('the scrape history', () => {
  it('rates over about a window: the base is the newest scrape at or before the window’s start', () => {
    const history = new ScrapeHistory(10_000);
    for (let atMs = 0; atMs <= 15_000; atMs += 1_000) history.add(scrape(atMs, `c_total ${atMs / 100}`));
    const window = history.window(15_000)!;
    expect(window.base!.atMs).toBe(5_000);
    expect(window.latest.atMs).toBe(15_000);
    expect(window.increase('c_total') / window.elapsedS).toBe(10);
  });

  it('forgets a target whose scrapes stopped a window ago, so that its old rates never show as live', () => {
    const history = new ScrapeHistory(10_000);
    history.add(scrape(0, 'c_total 1'));
    history.add(scrape(1_000, 'c_total 2'));
    expect(history.window(10_999)).toBeDefined();
    expect(history.window(11_001)).toBeUndefined();
    expect(history.window(1_000)).toBeUndefined();
  });
});

describe('the platform view', () => {
  const window = (before: string[], after: string[]) =>
    new ScrapeWindow(scrape(10_000, ...after), scrape(0, ...before));

  const component = (name: string, windows: ScrapeWindow[], servesGrpc = true): ObservedComponent => ({
    name,
    address: `${name}:1`,
    servesGrpc,
    instances: windows.map((instanceWindow, index) => ({
      address: `10.0.0.${index + 1}:1`,
      health: 'SERVING',
      window: instanceWindow,
    })),
  });

  it('measures each declared edge at its caller, summing instances, and shows an edge without traffic as 0/s', () => {
    const caller = (okCalls: number, failures: number) =>
      window(
        [attempts('catalog', 'GetTitle', 0, [0, 0, 0, 0, 0, 0])],
        [
          attempts('catalog', 'GetTitle', 0, [okCalls, okCalls, okCalls, okCalls, okCalls, okCalls]),
          attempts('catalog', 'GetTitle', 14, [0, 0, 0, 0, failures, failures]),
        ],
      );
    const view = platformView(
      [
        component('playback-authorization', [caller(90, 0), caller(0, 10)]),
        component('catalog', []),
        component('billing', [window([], [])]),
      ],
      [
        { from: 'playback-authorization', to: 'catalog' },
        { from: 'playback-authorization', to: 'billing' },
        { from: 'playback-authorization', to: 'steering' }, // not watched: not shown
      ],
      isTargetFailure,
    );
    expect(view.edges).toEqual([
      { from: 'playback-authorization', to: 'catalog', requestsPerS: 10, errorShare: 0.1, p99Ms: expect.any(Number) },
      { from: 'playback-authorization', to: 'billing', requestsPerS: 0, errorShare: 0, p99Ms: null },
    ]);
    expect(view.services.find((service) => service.name === 'catalog')).toMatchObject({
      health: 'UNREACHABLE',
      requestsPerS: null,
    });
  });

  it('does not measure calls served by the edge, which exports no server histogram', () => {
    const view = platformView([component('edge', [window([], [])], false)], [], isTargetFailure);
    expect(view.services[0]).toMatchObject({ name: 'edge', health: 'SERVING', requestsPerS: null, p99Ms: null });
  });

  it('turns a caller’s breaker gauges, attempts and resilience events into one row per target method', () => {
    const event = (name: string, method: string, value: number) =>
      `streamplane_client_events_total{event="${name}",target="billing",method="${method}"} ${value}`;
    const instance = (state: number, rejectedAfter: number) =>
      window(
        [
          attempts('billing', 'GetEntitlement', 0, [10, 10, 10, 10, 10, 10]),
          event('retry', 'GetEntitlement', 1),
          event('breaker_rejected', 'GetEntitlement', 0),
        ],
        [
          `streamplane_client_breaker_state{breaker="billing/GetEntitlement"} ${state}`,
          `streamplane_client_breaker_state{breaker="billing/GetSubscription"} 0`,
          attempts('billing', 'GetEntitlement', 0, [30, 30, 30, 30, 30, 30]),
          attempts('billing', 'GetEntitlement', 14, [0, 0, 0, 0, 0, 20]),
          attempts('billing', 'GetSubscription', 0, [7, 7, 7, 7, 7, 7]),
          event('retry', 'GetEntitlement', 6),
          event('fallback', 'GetEntitlement', 2),
          event('breaker_rejected', 'GetEntitlement', rejectedAfter),
          event('limit_refused', 'GetEntitlement', 3),
          event('throttled', 'GetEntitlement', 1),
          event('retry', 'GetSubscription', 9),
          'streamplane_concurrency_limit{side="client",target="billing"} 20',
          'streamplane_concurrency_in_flight{side="client",target="billing"} 4',
          'streamplane_concurrency_limit{side="server"} 40',
        ],
      );
    const view = platformView(
      [component('playback-authorization', [instance(2, 12), instance(0, 0)])],
      [],
      isTargetFailure,
    );
    expect(view.breakers).toEqual([
      {
        service: 'playback-authorization',
        target: 'billing',
        method: 'GetEntitlement',
        breaker: 'billing/GetEntitlement',
        // Open on one of the two instances: the row says open, and how many.
        state: 'open',
        instances: { closed: 1, 'half-open': 0, open: 1 },
        // Per instance 20 OK + 20 UNAVAILABLE attempts in the window.
        requests: 80,
        errorShare: 0.5,
        retries: 10,
        retryBudgetExhausted: 0,
        fallbacks: 4,
        breakerRejections: 12,
        limitRejections: 8,
        rejections: 20,
        concurrencyLimit: 40,
        inFlight: 8,
      },
      expect.objectContaining({
        breaker: 'billing/GetSubscription',
        state: 'closed',
        requests: 14,
        retries: 18,
        errorShare: 0,
      }),
    ]);
    expect(view.services[0]).toMatchObject({ concurrencyLimit: 80 });
  });

  it('calls a component SERVING only when every instance is, and UNREACHABLE only when none answers', () => {
    const healthOf = (...healths: Array<'SERVING' | 'NOT_SERVING' | 'UNREACHABLE'>) =>
      platformView(
        [
          {
            name: 'catalog',
            address: 'catalog:1',
            servesGrpc: true,
            instances: healths.map((health, index) => ({ address: `10.0.0.${index}:1`, health })),
          },
        ],
        [],
        isTargetFailure,
      ).services[0]!.health;
    expect(healthOf('SERVING', 'SERVING')).toBe('SERVING');
    expect(healthOf('SERVING', 'UNREACHABLE')).toBe('NOT_SERVING');
    expect(healthOf('NOT_SERVING')).toBe('NOT_SERVING');
    expect(healthOf('UNREACHABLE', 'UNREACHABLE')).toBe('UNREACHABLE');
    expect(healthOf()).toBe('UNREACHABLE');
  });
});
