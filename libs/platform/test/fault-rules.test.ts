import { Metadata, status } from '@grpc/grpc-js';
import { context, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { mulberry32 } from '@streamplane/streaming';
import { ManualClock } from '@streamplane/testkit';
import { InvalidArgumentError, NotFoundError, ResourceExhaustedError } from '../src/errors/domain-errors';
import {
  FAULT_RULE_LIMITS,
  FaultRuleSet,
  validateFaultRule,
  type FaultRuleSpec,
  type FaultTarget,
} from '../src/faults/fault-rules';
import { FAULT_METADATA_KEY, FAULT_SPAN_ATTRIBUTES, FaultInjector } from '../src/faults/faults';
import { startTelemetry, type Telemetry } from '../src/telemetry/telemetry';

/**
 * Runtime fault rules without a transport: shares drawn from a seeded source over many calls, expiry in
 * manual time, which calls a rule matches, every validation message, and how the injector combines rules
 * with the per-request header.
 */

const CATALOG: FaultTarget = {
  grpcService: 'streamplane.catalog.v1.CatalogService',
  methods: ['GetTitle', 'BatchGetTitles', 'ListTitles', 'SearchTitles', 'GetEncodingLadder'],
};
const GET_TITLE = '/streamplane.catalog.v1.CatalogService/GetTitle';
const LIST_TITLES = '/streamplane.catalog.v1.CatalogService/ListTitles';

function ruleSet(clock = new ManualClock(), seed = 17): FaultRuleSet {
  return new FaultRuleSet(CATALOG, clock, mulberry32(seed));
}

/** How many of `calls` calls of `method` the rules hit. */
function hitCount(rules: FaultRuleSet, method: string, calls: number): number {
  let hit = 0;
  for (let i = 0; i < calls; i++) if (rules.hitsFor(method).length > 0) hit += 1;
  return hit;
}

/** A count of `calls` draws at `percent` lies within 4.5 standard deviations of its mean (p ≈ 7e-6 to miss). */
function expectBinomial(count: number, calls: number, percent: number): void {
  const p = percent / 100;
  const mean = calls * p;
  const spread = 4.5 * Math.sqrt(calls * p * (1 - p));
  expect(count).toBeGreaterThanOrEqual(Math.floor(mean - spread));
  expect(count).toBeLessThanOrEqual(Math.ceil(mean + spread));
}

describe('fault rule shares', () => {
  it.each([0.5, 10, 30, 75])('hits %d %% of 20,000 calls, within binomial bounds', (percent) => {
    const rules = ruleSet();
    rules.set({ method: 'GetTitle', errorCode: 'UNAVAILABLE', percent });
    const calls = 20_000;
    const hits = hitCount(rules, GET_TITLE, calls);
    expectBinomial(hits, calls, percent);
    expect(rules.list()[0]!.injectedCalls).toBe(hits);
  });

  it('hits every call at 100 %', () => {
    const rules = ruleSet();
    rules.set({ latencyMs: 5, percent: 100 });
    expect(hitCount(rules, GET_TITLE, 1_000)).toBe(1_000);
  });

  it('draws each rule independently: two rules at 50 % both hit about a quarter of the calls', () => {
    const rules = ruleSet();
    rules.set({ method: 'GetTitle', latencyMs: 100, percent: 50 });
    rules.set({ method: 'GetTitle', errorCode: 'INTERNAL', percent: 50 });
    const calls = 20_000;
    let both = 0;
    for (let i = 0; i < calls; i++) if (rules.hitsFor(GET_TITLE).length === 2) both += 1;
    expectBinomial(both, calls, 25);
  });
});

describe('fault rule lifetime', () => {
  it('applies from the next call and expires after its ttl, in manual time', () => {
    const clock = new ManualClock();
    const rules = ruleSet(clock);
    const rule = rules.set({ method: 'GetTitle', errorCode: 'UNAVAILABLE', percent: 100, ttlMs: 60_000 });
    expect(rule.expiresAt.getTime() - rule.createdAt.getTime()).toBe(60_000);
    expect(rules.hitsFor(GET_TITLE)).toHaveLength(1);
    clock.advance(59_999);
    expect(rules.hitsFor(GET_TITLE)).toHaveLength(1);
    expect(rules.list().map(({ id }) => id)).toEqual(['error-UNAVAILABLE-GetTitle']);
    clock.advance(1);
    expect(rules.hitsFor(GET_TITLE)).toHaveLength(0);
    expect(rules.list()).toEqual([]);
  });

  it('lasts ten minutes by default', () => {
    const clock = new ManualClock();
    const rules = ruleSet(clock);
    const rule = rules.set({ latencyMs: 300, percent: 10 });
    expect(rule.expiresAt.getTime() - clock.nowMs()).toBe(FAULT_RULE_LIMITS.defaultTtlMs);
    expect(FAULT_RULE_LIMITS.defaultTtlMs).toBe(600_000);
  });

  it('replaces the rule of the same id, restarting its ttl and its count', () => {
    const clock = new ManualClock();
    const rules = ruleSet(clock);
    rules.set({ method: 'GetTitle', latencyMs: 300, percent: 100, ttlMs: 60_000 });
    hitCount(rules, GET_TITLE, 3);
    clock.advance(50_000);
    const replaced = rules.set({ method: 'GetTitle', latencyMs: 500, percent: 20, ttlMs: 60_000 });
    expect(rules.list()).toEqual([replaced]);
    expect(replaced).toMatchObject({ id: 'latency-GetTitle', percent: 20, injectedCalls: 0 });
    expect(replaced.fault).toEqual({ kind: 'latency', latencyMs: 500 });
    clock.advance(50_000);
    expect(rules.list()).toHaveLength(1);
  });

  it('clears one rule by id, or all of them, and names an id it does not hold', () => {
    const rules = ruleSet();
    rules.set({ method: 'GetTitle', latencyMs: 300, percent: 10 });
    rules.set({ errorCode: 'UNAVAILABLE', percent: 30 });
    rules.set({ ruleId: 'slow-search', method: 'SearchTitles', latencyMs: 50, percent: 5 });
    expect(rules.clear('slow-search').map(({ id }) => id)).toEqual(['slow-search']);
    expect(() => rules.clear('slow-search')).toThrow(new NotFoundError('fault rule', 'slow-search'));
    expect(rules.clear().map(({ id }) => id)).toEqual(['error-UNAVAILABLE-all', 'latency-GetTitle']);
    expect(rules.clear()).toEqual([]);
    expect(rules.hitsFor(GET_TITLE)).toHaveLength(0);
  });

  it(`holds at most ${FAULT_RULE_LIMITS.maxRules} rules, and still replaces one it holds`, () => {
    const rules = ruleSet();
    for (let i = 0; i < FAULT_RULE_LIMITS.maxRules; i++) rules.set({ ruleId: `rule-${i}`, latencyMs: 1, percent: 1 });
    expect(() => rules.set({ ruleId: 'one-more', latencyMs: 1, percent: 1 })).toThrow(ResourceExhaustedError);
    expect(() => rules.set({ ruleId: 'rule-0', latencyMs: 2, percent: 1 })).not.toThrow();
  });
});

describe('which calls a rule matches', () => {
  it.each([
    'GetTitle',
    'gettitle',
    'CatalogService/GetTitle',
    'streamplane.catalog.v1.CatalogService/GetTitle',
    '/streamplane.catalog.v1.CatalogService/GetTitle',
  ])('"%s" names GetTitle', (method) => {
    expect(validateFaultRule({ method, latencyMs: 10, percent: 1 }, CATALOG).method).toBe(GET_TITLE);
  });

  it('hits only the method it names', () => {
    const rules = ruleSet();
    rules.set({ method: 'GetTitle', errorCode: 'UNAVAILABLE', percent: 100 });
    expect(hitCount(rules, GET_TITLE, 10)).toBe(10);
    expect(hitCount(rules, LIST_TITLES, 10)).toBe(0);
  });

  it('without a method hits every method of the service, never health, reflection or the admin API', () => {
    const rules = ruleSet();
    rules.set({ errorCode: 'UNAVAILABLE', percent: 100 });
    expect(hitCount(rules, GET_TITLE, 5)).toBe(5);
    expect(hitCount(rules, LIST_TITLES, 5)).toBe(5);
    for (const other of [
      '/grpc.health.v1.Health/Check',
      '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
      '/streamplane.chaos.v1.FaultRulesService/ClearFaultRules',
    ]) {
      expect(hitCount(rules, other, 5)).toBe(0);
    }
  });
});

describe('fault rule validation', () => {
  const cases: Array<[string, FaultRuleSpec, string]> = [
    ['an unknown method', { method: 'GetTitel', latencyMs: 10, percent: 1 }, 'method: CatalogService has no method'],
    [
      'a method of another service',
      { method: 'streamplane.billing.v1.BillingService/GetEntitlement', latencyMs: 10, percent: 1 },
      'method: streamplane.billing.v1.BillingService is not served by this instance',
    ],
    [
      'the admin API itself',
      { method: 'streamplane.chaos.v1.FaultRulesService/ListFaultRules', latencyMs: 10, percent: 1 },
      'method: streamplane.chaos.v1.FaultRulesService is not served by this instance',
    ],
    ['neither an error nor a latency', { percent: 10 }, 'error_code: set either error_code'],
    ['both an error and a latency', { errorCode: 'UNAVAILABLE', latencyMs: 10, percent: 10 }, 'latency_ms: '],
    ['an unknown status name', { errorCode: 'BROKEN', percent: 10 }, 'error_code: "BROKEN" is not a gRPC status'],
    ['OK', { errorCode: 'ok', percent: 10 }, 'error_code: OK is not a fault'],
    [
      'a latency over the header’s bound',
      { latencyMs: 60_001, percent: 10 },
      'latency_ms: must be between 1 and 60000 ms',
    ],
    ['a fractional latency', { latencyMs: 1.5, percent: 10 }, 'latency_ms: must be between 1 and 60000 ms'],
    ['percent 0', { latencyMs: 10, percent: 0 }, 'percent: must be above 0 and at most 100 (got 0)'],
    ['a negative percent', { latencyMs: 10, percent: -5 }, 'percent: must be above 0'],
    ['percent over 100', { latencyMs: 10, percent: 100.5 }, 'percent: must be above 0 and at most 100 (got 100.5)'],
    ['percent NaN', { latencyMs: 10, percent: Number.NaN }, 'percent: must be above 0'],
    ['a ttl under a second', { latencyMs: 10, percent: 1, ttlMs: 999 }, 'ttl: must be between 1 s and 1 h'],
    ['a ttl over an hour', { latencyMs: 10, percent: 1, ttlMs: 3_600_001 }, 'ttl: must be between 1 s and 1 h'],
    ['a malformed rule id', { ruleId: 'no spaces', latencyMs: 10, percent: 1 }, 'rule_id: may contain only'],
  ];

  it.each(cases)('rejects %s, naming the field', (_case, spec, message) => {
    expect(() => validateFaultRule(spec, CATALOG)).toThrow(InvalidArgumentError);
    expect(() => validateFaultRule(spec, CATALOG)).toThrow(message);
  });

  it('accepts status names in any case and derives an id from the fault and the method', () => {
    expect(validateFaultRule({ errorCode: 'deadline_exceeded', percent: 100 }, CATALOG)).toEqual({
      id: 'error-DEADLINE_EXCEEDED-all',
      method: undefined,
      fault: { kind: 'error', code: status.DEADLINE_EXCEEDED },
      percent: 100,
      ttlMs: FAULT_RULE_LIMITS.defaultTtlMs,
    });
    expect(validateFaultRule({ method: 'ListTitles', latencyMs: 60_000, percent: 0.1 }, CATALOG).id).toBe(
      'latency-ListTitles',
    );
  });
});

describe('fault injection with rules and the request header', () => {
  let telemetry: Telemetry;
  const answered = new AbortController();
  // Waits end at once: what is asserted is what was injected, never how long it took.
  answered.abort();

  beforeAll(() => {
    telemetry = startTelemetry({ service: 'fault-rules-test' });
  });

  afterAll(() => telemetry.shutdown());

  /** Runs one call of `method` through the injector inside a server span; answers the span and the outcome. */
  async function injectInto(injector: FaultInjector, method: string, header?: string) {
    const metadata = new Metadata();
    if (header) metadata.set(FAULT_METADATA_KEY, header);
    const span = telemetry.tracer.startSpan('server');
    const outcome = await context
      .with(trace.setSpan(context.active(), span), () => injector.apply(method, metadata, answered.signal))
      .then(
        () => ({ code: status.OK, details: '' }),
        (error: { code: number; details: string }) => ({ code: error.code, details: error.details }),
      );
    span.end();
    return { outcome, attributes: (span as unknown as ReadableSpan).attributes };
  }

  it('fails a hit call with the rule’s code, naming the rule, and says so on the span', async () => {
    const rules = ruleSet();
    rules.set({ method: 'GetTitle', errorCode: 'UNAVAILABLE', percent: 100 });
    rules.set({ method: 'GetTitle', latencyMs: 300, percent: 100 });
    const { outcome, attributes } = await injectInto(new FaultInjector('catalog', true, undefined, rules), GET_TITLE);
    expect(outcome).toEqual({
      code: status.UNAVAILABLE,
      details: 'injected fault: catalog answered UNAVAILABLE (fault rule error-UNAVAILABLE-GetTitle)',
    });
    expect(attributes).toMatchObject({
      [FAULT_SPAN_ATTRIBUTES.ruleIds]: ['error-UNAVAILABLE-GetTitle', 'latency-GetTitle'],
      [FAULT_SPAN_ATTRIBUTES.latencyMs]: 300,
      [FAULT_SPAN_ATTRIBUTES.errorCode]: 'UNAVAILABLE',
    });
  });

  it('adds the header’s latency to the rules’, and lets the header’s own code win', async () => {
    const rules = ruleSet();
    rules.set({ latencyMs: 200, percent: 100 });
    rules.set({ errorCode: 'INTERNAL', percent: 100 });
    const injector = new FaultInjector('catalog', true, undefined, rules);
    const { outcome, attributes } = await injectInto(injector, GET_TITLE, 'catalog=50ms,catalog=NOT_FOUND');
    expect(outcome).toEqual({ code: status.NOT_FOUND, details: 'injected fault: catalog answered NOT_FOUND' });
    expect(attributes).toMatchObject({
      [FAULT_SPAN_ATTRIBUTES.latencyMs]: 250,
      [FAULT_SPAN_ATTRIBUTES.errorCode]: 'NOT_FOUND',
    });
  });

  it('leaves a call no rule hits, and its span, untouched', async () => {
    const rules = ruleSet();
    rules.set({ method: 'GetTitle', errorCode: 'UNAVAILABLE', percent: 100 });
    const { outcome, attributes } = await injectInto(new FaultInjector('catalog', true, undefined, rules), LIST_TITLES);
    expect(outcome.code).toBe(status.OK);
    expect(Object.keys(attributes).filter((key) => key.startsWith('streamplane.fault.'))).toEqual([]);
  });
});
