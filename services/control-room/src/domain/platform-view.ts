import { histogramQuantile } from './histogram';
import { BREAKER_STATES, CLIENT_EVENTS, METRICS, type BreakerState, type IsFailure } from './platform-metrics';
import type { LabelMatch, ScrapeWindow } from './scrape-window';

/**
 * What the page shows of the platform, computed from every instance's recent scrapes and health: the
 * components (nodes), the calls between them (edges of the declared call graph, measured by the caller,
 * one count per attempt) and each caller's breakers. A component's figures add up its instances: rates are
 * summed, shares and p99 are taken over the summed counts and bucket increases (p99 as histogram_quantile
 * does). Plain numbers, rounded for reading.
 */

export type Health = 'SERVING' | 'NOT_SERVING' | 'UNREACHABLE' | 'UNKNOWN';

export interface ObservedInstance {
  /** host:port where its health was asked. */
  readonly address: string;
  readonly health: Health;
  /** Its recent scrapes; undefined when its metrics could not be read lately. */
  readonly window?: ScrapeWindow;
}

export interface ObservedComponent {
  readonly name: string;
  /** As configured: host:port, the host possibly a name that resolves to every instance. */
  readonly address: string;
  /** gRPC services measure the calls they serve; the edge (HTTP) has no such histogram. */
  readonly servesGrpc: boolean;
  readonly instances: readonly ObservedInstance[];
}

export interface Traffic {
  /** Null where nothing could be measured (metrics unreadable, or not exported by the component). */
  readonly requestsPerS: number | null;
  readonly errorShare: number | null;
  /** Null also when no call ended in the window. */
  readonly p99Ms: number | null;
}

export interface ServiceView extends Traffic {
  readonly name: string;
  readonly address: string;
  /** How it is asked for health; only gRPC services measure the calls they serve. */
  readonly protocol: 'grpc' | 'http';
  /** SERVING when every instance is, UNREACHABLE when none answers, NOT_SERVING in between. */
  readonly health: Health;
  readonly instances: Array<{ address: string; health: Health }>;
  /** Calls refused at the servers' adaptive concurrency limits, per second. */
  readonly refusedPerS: number | null;
  /** The servers' adaptive concurrency limits and calls in flight, summed over the instances. */
  readonly concurrencyLimit: number | null;
  readonly inFlight: number | null;
}

export interface EdgeView extends Traffic {
  readonly from: string;
  readonly to: string;
}

export interface BreakerView {
  /** The calling service, whose breaker it is. */
  readonly service: string;
  readonly target: string;
  readonly method: string;
  /** "target/Method", the breaker's own name. */
  readonly breaker: string;
  /** The worst over the caller's instances: open if one is open. */
  readonly state: BreakerState;
  /** How many of the caller's instances have it in each state. */
  readonly instances: Record<BreakerState, number>;
  /** Share of the attempts in the window that failed as the breaker counts failures. */
  readonly errorShare: number;
  /** Attempts sent in the window. */
  readonly requests: number;
  readonly retries: number;
  readonly retryBudgetExhausted: number;
  readonly fallbacks: number;
  /** Calls not sent: breakerRejections + limitRejections. */
  readonly rejections: number;
  /** Refused by the open (or half-open, trial out) breaker. */
  readonly breakerRejections: number;
  /** Refused by the target's adaptive in-flight limit or the client-side throttle. */
  readonly limitRejections: number;
  /** The adaptive in-flight limit towards the target (shared by its methods) and what is in flight. */
  readonly concurrencyLimit: number | null;
  readonly inFlight: number | null;
}

export interface PlatformView {
  readonly services: ServiceView[];
  readonly edges: EdgeView[];
  readonly breakers: BreakerView[];
}

export interface CallEdge {
  readonly from: string;
  readonly to: string;
}

const round = (value: number, digits: number): number => {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
};

const UNMEASURED: Traffic = { requestsPerS: null, errorShare: null, p99Ms: null };

function windowsOf(component: ObservedComponent): ScrapeWindow[] {
  return component.instances.flatMap(({ window }) => (window ? [window] : []));
}

/** Per second over each window, summed (instances are scraped at slightly different times). */
function ratePerS(windows: readonly ScrapeWindow[], increase: (window: ScrapeWindow) => number): number {
  return round(
    windows.reduce((sum, window) => sum + (window.elapsedS > 0 ? increase(window) / window.elapsedS : 0), 0),
    2,
  );
}

function countsOf(
  windows: readonly ScrapeWindow[],
  histogram: string,
  match: LabelMatch,
  isFailure: IsFailure,
): { requests: number; failures: number } {
  let requests = 0;
  let failures = 0;
  for (const window of windows) {
    for (const { labels, increase } of window.increases(`${histogram}_count`, match)) {
      requests += increase;
      if (isFailure(Number(labels.rpc_grpc_status_code))) failures += increase;
    }
  }
  return { requests, failures };
}

/** Rate, failure share and p99 of the calls a histogram (server or client) counted, of the matching series. */
export function trafficOf(
  windows: readonly ScrapeWindow[],
  histogram: string,
  match: LabelMatch,
  isFailure: IsFailure,
): Traffic {
  if (windows.length === 0) return UNMEASURED;
  const { requests, failures } = countsOf(windows, histogram, match, isFailure);
  const byBound = new Map<number, number>();
  for (const window of windows) {
    for (const { labels, increase } of window.increases(`${histogram}_bucket`, match)) {
      const bound = labels.le === '+Inf' ? Infinity : Number(labels.le);
      byBound.set(bound, (byBound.get(bound) ?? 0) + increase);
    }
  }
  const p99 = histogramQuantile(
    0.99,
    [...byBound].map(([upperBound, cumulativeCount]) => ({ upperBound, cumulativeCount })),
  );
  return {
    requestsPerS: ratePerS(windows, (window) => window.increase(`${histogram}_count`, match)),
    errorShare: requests > 0 ? round(failures / requests, 4) : 0,
    p99Ms: p99 === undefined ? null : round(p99, 1),
  };
}

/** The sum over the windows of the current values of a gauge's matching series, or null when none has one. */
function gaugeSum(windows: readonly ScrapeWindow[], name: string, match: LabelMatch): number | null {
  const values = windows.flatMap((window) => window.current(name, match).map(({ value }) => value));
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0);
}

export function componentHealth(instances: readonly { health: Health }[]): Health {
  const count = (health: Health) => instances.filter((instance) => instance.health === health).length;
  if (instances.length > 0 && count('SERVING') === instances.length) return 'SERVING';
  if (instances.length > 0 && count('UNKNOWN') === instances.length) return 'UNKNOWN';
  if (count('SERVING') + count('NOT_SERVING') > 0) return 'NOT_SERVING';
  return 'UNREACHABLE';
}

function serviceView(component: ObservedComponent, isFailure: IsFailure): ServiceView {
  const windows = windowsOf(component);
  const measured = component.servesGrpc && windows.length > 0;
  return {
    name: component.name,
    address: component.address,
    protocol: component.servesGrpc ? 'grpc' : 'http',
    health: componentHealth(component.instances),
    instances: component.instances.map(({ address, health }) => ({ address, health })),
    ...(measured ? trafficOf(windows, METRICS.serverDuration, {}, isFailure) : UNMEASURED),
    refusedPerS: measured ? ratePerS(windows, (window) => window.increase(METRICS.serverRefused)) : null,
    concurrencyLimit: gaugeSum(windows, METRICS.concurrencyLimit, { side: 'server' }),
    inFlight: gaugeSum(windows, METRICS.concurrencyInFlight, { side: 'server' }),
  };
}

function breakerViews(caller: ObservedComponent, isFailure: IsFailure): BreakerView[] {
  const windows = windowsOf(caller);
  const states = new Map<string, Record<BreakerState, number>>();
  for (const window of windows) {
    for (const { labels, value } of window.current(METRICS.breakerState)) {
      const state = BREAKER_STATES[value];
      const breaker = labels.breaker ?? '';
      if (state === undefined || breaker.lastIndexOf('/') <= 0) continue;
      const counts = states.get(breaker) ?? { closed: 0, 'half-open': 0, open: 0 };
      counts[state] += 1;
      states.set(breaker, counts);
    }
  }
  return [...states].map(([breaker, instances]) => {
    const slash = breaker.lastIndexOf('/');
    const target = breaker.slice(0, slash);
    const method = breaker.slice(slash + 1);
    const events = (event: string) =>
      windows.reduce((sum, window) => sum + window.increase(METRICS.clientEvents, { event, target, method }), 0);
    const { requests, failures } = countsOf(windows, METRICS.clientDuration, { target, rpc_method: method }, isFailure);
    const breakerRejections = events(CLIENT_EVENTS.breakerRejected);
    const limitRejections = events(CLIENT_EVENTS.limitRefused) + events(CLIENT_EVENTS.throttled);
    return {
      service: caller.name,
      target,
      method,
      breaker,
      state: [...BREAKER_STATES].reverse().find((state) => instances[state] > 0)!,
      instances,
      errorShare: requests > 0 ? round(failures / requests, 4) : 0,
      requests,
      retries: events(CLIENT_EVENTS.retry),
      retryBudgetExhausted: events(CLIENT_EVENTS.retryBudgetExhausted),
      fallbacks: events(CLIENT_EVENTS.fallback),
      rejections: breakerRejections + limitRejections,
      breakerRejections,
      limitRejections,
      concurrencyLimit: gaugeSum(windows, METRICS.concurrencyLimit, { side: 'client', target }),
      inFlight: gaugeSum(windows, METRICS.concurrencyInFlight, { side: 'client', target }),
    };
  });
}

/**
 * The whole view: every component, every edge of `graph` between two of them (an edge without traffic
 * shows 0 calls per second), and the breakers of every caller, sorted by caller and breaker.
 */
export function platformView(
  components: readonly ObservedComponent[],
  graph: readonly CallEdge[],
  isFailure: IsFailure,
): PlatformView {
  const byName = new Map(components.map((component) => [component.name, component]));
  const edges = graph
    .filter(({ from, to }) => byName.has(from) && byName.has(to))
    .map(({ from, to }) => ({
      from,
      to,
      ...trafficOf(windowsOf(byName.get(from)!), METRICS.clientDuration, { target: to }, isFailure),
    }));
  const breakers = components
    .flatMap((component) => breakerViews(component, isFailure))
    .sort((a, b) => a.service.localeCompare(b.service) || a.breaker.localeCompare(b.breaker));
  return { services: components.map((component) => serviceView(component, isFailure)), edges, breakers };
}
