import { Metadata, status } from '@grpc/grpc-js';
import { BreakerRegistry, DEFAULT_BREAKER, type BreakerOptions } from '../src/client/breakers';
import { failClosed, type DependencyPolicy } from '../src/client/dependency-policy';
import {
  CLIENT_LIMIT,
  ResilientClient,
  type ClientDependencies,
  type ResilienceOptions,
} from '../src/client/resilient-client';
import { FAULT_METADATA_KEY } from '../src/faults/faults';
import { Logger } from '../src/logging/logger';
import { loadProtos } from '../src/proto/proto-loader';
import { runWithRequestContext, type RequestContext } from '../src/server/request-context';
import { SERVICES, type ClientOf, type ServiceName } from '@streamplane/contracts';
import { eventually, fail, ok, ScriptedServer, stall } from '@streamplane/testkit';

const silent = new Logger('test', 'error', {}, () => undefined);
const NO_WAIT = { baseMs: 1, capMs: 2 };

/** The context of a call being served (the caller of the client), cancelled through `abort`. */
function servedCall(
  { deadline, metadata = new Metadata(), priority = 'critical' }: Partial<RequestContext> & { deadline: number },
  abort = new AbortController(),
): RequestContext {
  return {
    method: '/caller',
    metadata,
    deadline,
    signal: abort.signal,
    whenCancelled: (listener) => {
      if (abort.signal.aborted) listener();
      abort.signal.addEventListener('abort', listener, { once: true });
      return () => abort.signal.removeEventListener('abort', listener);
    },
    priority,
  };
}

interface Harness<S extends ServiceName> {
  server: ScriptedServer;
  client: ClientOf<S>;
  breakers: BreakerRegistry;
}

const open: Array<Harness<ServiceName>> = [];

async function harness<S extends ServiceName>(
  name: S,
  options: Partial<ResilienceOptions> = {},
  breaker: BreakerOptions = DEFAULT_BREAKER,
  withoutResilience = false,
  policy?: DependencyPolicy,
  dependencies: Partial<ClientDependencies> = {},
): Promise<Harness<S>> {
  const service = SERVICES[name];
  const server = await ScriptedServer.start(service);
  const breakers = new BreakerRegistry(breaker);
  const client = new ResilientClient(service, `dns:///${server.address}`, loadProtos([service.protoFile]).definition, {
    breakers,
    logger: silent,
    options: { backoff: NO_WAIT, ...options },
    withoutResilience,
    policy,
    ...dependencies,
  });
  const created: Harness<S> = { server, client: client as unknown as ClientOf<S>, breakers };
  open.push(created as unknown as Harness<ServiceName>);
  return created;
}

afterEach(() => {
  for (const { server, client, breakers } of open.splice(0)) {
    client.close();
    breakers.close();
    server.stop();
  }
});

describe('retries', () => {
  it('retries UNAVAILABLE and succeeds on the third attempt', async () => {
    const { server, client } = await harness('catalog');
    server.next(fail(status.UNAVAILABLE), fail(status.UNAVAILABLE), ok({ title_id: 'tt00001' }));
    await expect(client.call('GetTitle', { title_id: 'tt00001' })).resolves.toMatchObject({ title_id: 'tt00001' });
    expect(server.count()).toBe(3);
    expect(client.statsOf('GetTitle')).toMatchObject({ calls: 1, attempts: 3, retries: 2 });
    // Retries say which attempt they are, as gRPC's own retries do (gRFC A6).
    expect(server.received.map((call) => call.metadata.get('grpc-previous-rpc-attempts'))).toEqual([[], ['1'], ['2']]);
  });

  it('stops at three attempts', async () => {
    const { server, client } = await harness('catalog');
    server.otherwise(fail(status.UNAVAILABLE));
    await expect(client.call('GetTitle', { title_id: 'tt00001' })).rejects.toMatchObject({ code: status.UNAVAILABLE });
    expect(server.count()).toBe(3);
  });

  it.each([
    ['INTERNAL', status.INTERNAL],
    ['DEADLINE_EXCEEDED', status.DEADLINE_EXCEEDED],
    ['NOT_FOUND', status.NOT_FOUND],
    ['INVALID_ARGUMENT', status.INVALID_ARGUMENT],
    ['RESOURCE_EXHAUSTED without pushback', status.RESOURCE_EXHAUSTED],
  ])('does not retry %s', async (_name, code) => {
    const { server, client } = await harness('catalog');
    server.otherwise(fail(code));
    await expect(client.call('GetTitle', { title_id: 'tt00001' })).rejects.toMatchObject({ code });
    expect(server.count()).toBe(1);
  });

  it('retries RESOURCE_EXHAUSTED when the server pushes back', async () => {
    const { server, client } = await harness('catalog');
    server.next(fail(status.RESOURCE_EXHAUSTED, { 'grpc-retry-pushback-ms': '5' }), ok());
    await client.call('GetTitle', { title_id: 'tt00001' });
    expect(server.count()).toBe(2);
  });

  it('retries a mutating call only when it carries an idempotency key', async () => {
    const { server, client } = await harness('billing');
    server.otherwise(fail(status.UNAVAILABLE));
    await expect(client.call('ChangePlan', { account_id: 'acct-0001', plan_id: 'basic' })).rejects.toMatchObject({
      code: status.UNAVAILABLE,
    });
    expect(server.count()).toBe(1);

    server.reset();
    server.next(fail(status.UNAVAILABLE), ok());
    await client.call('ChangePlan', { account_id: 'acct-0001', plan_id: 'basic', idempotency_key: 'k-1' });
    expect(server.count()).toBe(2);
  });

  it('keeps retries within the retry budget when every call fails', async () => {
    const budget = { ratio: 0.2, minRetriesPerSecond: 0.5, windowMs: 10_000 };
    // A breaker that cannot open, so that only the budget limits retries.
    const { server, client } = await harness(
      'catalog',
      { retryBudget: budget },
      { ...DEFAULT_BREAKER, volumeThreshold: 10_000 },
    );
    server.otherwise(fail(status.UNAVAILABLE));
    const calls = 50;
    for (let i = 0; i < calls; i++) {
      await expect(client.call('GetTitle', { title_id: 'tt00001' })).rejects.toMatchObject({
        code: status.UNAVAILABLE,
      });
    }
    const allowedRetries = budget.ratio * calls + budget.minRetriesPerSecond * (budget.windowMs / 1000);
    const stats = client.statsOf('GetTitle');
    expect(stats.retries).toBeLessThanOrEqual(allowedRetries);
    expect(stats.retries).toBeGreaterThan(0);
    expect(stats.retryBudgetExhausted).toBeGreaterThan(0);
    expect(server.count()).toBe(calls + stats.retries);
    expect(server.count()).toBeLessThan(calls * 3);
  });
});

describe('circuit breaker', () => {
  const fastReset = { ...DEFAULT_BREAKER, resetTimeoutMs: 100 };

  it('opens after the volume and error thresholds, rejects fast, half-opens and closes again', async () => {
    const { server, client } = await harness('catalog', { maxAttempts: 1 }, fastReset);
    server.otherwise(fail(status.UNAVAILABLE));
    for (let i = 0; i < 19; i++) await client.call('GetTitle', { title_id: 'tt00001' }).catch(() => undefined);
    expect(client.statsOf('GetTitle').breakerTransitions).toEqual([]);
    await client.call('GetTitle', { title_id: 'tt00001' }).catch(() => undefined);
    expect(client.statsOf('GetTitle').breakerTransitions).toEqual(['open']);

    // Open: rejected without reaching the server.
    const reached = server.count();
    const rejection = await client.call('GetTitle', { title_id: 'tt00001' }).catch((error: unknown) => error);
    expect(rejection).toMatchObject({
      code: status.UNAVAILABLE,
      details: expect.stringMatching(/circuit breaker .* is open/),
    });
    expect(server.count()).toBe(reached);
    expect(client.statsOf('GetTitle').breakerRejections).toBe(1);

    await eventually(() => client.statsOf('GetTitle').breakerTransitions.includes('half-open'), 'half-open');
    server.otherwise(ok({ title_id: 'tt00001' }));
    await expect(client.call('GetTitle', { title_id: 'tt00001' })).resolves.toMatchObject({ title_id: 'tt00001' });
    expect(client.statsOf('GetTitle').breakerTransitions).toEqual(['open', 'half-open', 'closed']);
  });

  it('does not retry into a breaker that a failure just opened', async () => {
    const { server, client } = await harness('catalog', {}, { ...DEFAULT_BREAKER, volumeThreshold: 1 });
    server.otherwise(fail(status.UNAVAILABLE));
    await expect(client.call('GetTitle', { title_id: 'tt00001' })).rejects.toMatchObject({ code: status.UNAVAILABLE });
    expect(server.count()).toBe(1);
  });

  it('never opens on caller errors', async () => {
    const { server, client } = await harness('catalog', {}, fastReset);
    server.otherwise(fail(status.NOT_FOUND));
    for (let i = 0; i < 40; i++) {
      await expect(client.call('GetTitle', { title_id: 'tt99999' })).rejects.toMatchObject({ code: status.NOT_FOUND });
    }
    expect(server.count()).toBe(40);
    expect(client.statsOf('GetTitle').breakerTransitions).toEqual([]);
  });

  it('is bypassed, with retries, under the bench switch STREAMPLANE_BENCH_WITHOUT=resilience', async () => {
    const { server, client } = await harness('catalog', {}, { ...DEFAULT_BREAKER, volumeThreshold: 1 }, true);
    server.otherwise(fail(status.UNAVAILABLE));
    for (let i = 0; i < 5; i++) {
      await expect(client.call('GetTitle', { title_id: 'tt00001' })).rejects.toMatchObject({
        code: status.UNAVAILABLE,
      });
    }
    // One attempt per call, every call reaching the server: no retry, no breaker opening.
    expect(server.count()).toBe(5);
    expect(client.statsOf('GetTitle')).toMatchObject({ calls: 5, attempts: 5, retries: 0, breakerTransitions: [] });
  });

  describe('calls carrying injected faults (a ChAP experiment cohort)', () => {
    /** Twenty calls that fail on an injected fault, as seen from the service they pass through. */
    async function failTwentyFaultedCalls(client: ClientOf<'catalog'>, server: ScriptedServer): Promise<void> {
      const incoming = new Metadata();
      incoming.set(FAULT_METADATA_KEY, 'catalog=UNAVAILABLE');
      server.otherwise(fail(status.UNAVAILABLE));
      for (let i = 0; i < 20; i++) {
        await runWithRequestContext(servedCall({ deadline: Infinity, metadata: incoming }), () =>
          client.call('GetTitle', { title_id: 'tt00001' }),
        ).catch(() => undefined);
      }
      expect(client.statsOf('GetTitle').breakerTransitions).toEqual(['open']);
      server.otherwise(ok({ title_id: 'tt00001' }));
    }

    it('open breakers of their own when faults are honoured: ordinary calls still go through', async () => {
      const { server, client } = await harness('catalog', { maxAttempts: 1 }, fastReset, false, undefined, {
        faultCohorts: true,
      });
      await failTwentyFaultedCalls(client, server);
      const reached = server.count();
      await expect(client.call('GetTitle', { title_id: 'tt00001' })).resolves.toMatchObject({ title_id: 'tt00001' });
      expect(server.count()).toBe(reached + 1);
      expect(client.statsOf('GetTitle').breakerRejections).toBe(0);
    });

    it('keep the cohort in use when more arrive: the least recently used one is retired', async () => {
      // The experiment's breaker must stay open throughout, however slowly the machine runs the calls.
      const staysOpen = { ...DEFAULT_BREAKER, resetTimeoutMs: 60_000 };
      const { server, client } = await harness('catalog', { maxAttempts: 1 }, staysOpen, false, undefined, {
        faultCohorts: true,
      });
      await failTwentyFaultedCalls(client, server);
      const callWith = (faults: string) => {
        const incoming = new Metadata();
        incoming.set(FAULT_METADATA_KEY, faults);
        return runWithRequestContext(servedCall({ deadline: Infinity, metadata: incoming }), () =>
          client.call('GetTitle', { title_id: 'tt00001' }),
        );
      };
      for (let other = 1; other <= 7; other++) await callWith(`steering=${other}`);
      await expect(callWith('catalog=UNAVAILABLE')).rejects.toMatchObject({ details: expect.stringMatching(/open/) });
      // A ninth cohort retires steering=1, not the experiment still running, whose breaker stays open.
      await callWith('steering=8');
      await expect(callWith('catalog=UNAVAILABLE')).rejects.toMatchObject({ details: expect.stringMatching(/open/) });
    });

    it('share the ordinary breakers when this process ignores faults, so the header buys no fresh breaker', async () => {
      const { server, client } = await harness('catalog', { maxAttempts: 1 }, fastReset);
      await failTwentyFaultedCalls(client, server);
      await expect(client.call('GetTitle', { title_id: 'tt00001' })).rejects.toMatchObject({
        code: status.UNAVAILABLE,
        details: expect.stringMatching(/circuit breaker .* is open/),
      });
    });
  });

  it('keeps one breaker per method', async () => {
    const { server, client } = await harness('catalog', { maxAttempts: 1 }, fastReset);
    server.otherwise(fail(status.UNAVAILABLE));
    for (let i = 0; i < 20; i++) await client.call('GetTitle', { title_id: 'tt00001' }).catch(() => undefined);
    expect(client.statsOf('GetTitle').breakerTransitions).toEqual(['open']);
    server.otherwise(ok());
    await expect(client.call('ListTitles', {})).resolves.toBeDefined();
  });
});

describe('deadlines', () => {
  // The server derives its deadline from the relative grpc-timeout header, so it lands a transit time
  // after the client's; the budgets and margins below are far apart enough to tell the cases apart.
  it('sends every call with the method budget as its deadline', async () => {
    const { server, client } = await harness('catalog', { defaultBudgetMs: 2_000, budgetsMs: { ListTitles: 300 } });
    const sentAt = Date.now();
    await client.call('GetTitle', { title_id: 'tt00001' });
    await client.call('ListTitles', {});
    const [getTitle, listTitles] = server.received;
    expect(getTitle!.deadline - sentAt).toBeGreaterThan(1_500);
    expect(getTitle!.deadline - sentAt).toBeLessThan(2_500);
    expect(listTitles!.deadline - sentAt).toBeLessThan(800);
  });

  it('caps the deadline by the caller’s own remaining deadline, minus a margin', async () => {
    const { server, client } = await harness('catalog', { defaultBudgetMs: 5_000, deadlineMarginMs: 200 });
    const callerDeadline = Date.now() + 1_000;
    await runWithRequestContext(servedCall({ deadline: callerDeadline }), () =>
      client.call('GetTitle', { title_id: 'tt00001' }),
    );
    expect(server.received[0]!.deadline).toBeLessThan(callerDeadline - 100);
  });

  it('expires on the server, and is not retried', async () => {
    const { server, client } = await harness('catalog', { defaultBudgetMs: 100 });
    server.otherwise(stall);
    await expect(client.call('GetTitle', { title_id: 'tt00001' })).rejects.toMatchObject({
      code: status.DEADLINE_EXCEEDED,
    });
    expect(server.count()).toBe(1);
    await eventually(() => server.received[0]!.cancelled, 'the server saw the call end');
  });

  it('is cancelled downstream when the caller it serves cancels', async () => {
    const { server, client } = await harness('catalog');
    server.otherwise(stall);
    const abort = new AbortController();
    const call = runWithRequestContext(servedCall({ deadline: Date.now() + 10_000 }, abort), () =>
      client.call('GetTitle', { title_id: 'tt00001' }),
    );
    await eventually(() => server.count() === 1, 'the call reached the server');
    abort.abort();
    await expect(call).rejects.toMatchObject({ code: status.CANCELLED });
    await eventually(() => server.received[0]!.cancelled, 'the server saw the call cancelled');
  });

  it('does not call at all when the caller has no time left', async () => {
    const { server, client } = await harness('catalog');
    await expect(
      runWithRequestContext(servedCall({ deadline: Date.now() + 5 }), () =>
        client.call('GetTitle', { title_id: 'tt00001' }),
      ),
    ).rejects.toMatchObject({ code: status.DEADLINE_EXCEEDED });
    expect(server.count()).toBe(0);
  });
});

describe('fallbacks and propagation', () => {
  it('runs the fallback when the target is unavailable, and reports it', async () => {
    const { server, client } = await harness('subtitles');
    server.otherwise(fail(status.UNAVAILABLE));
    const result = await client.call(
      'ListTracks',
      { title_id: 'tt00001' },
      { fallback: () => ({ tracks: [], next_page_token: '' }) },
    );
    expect(result).toEqual({ tracks: [], next_page_token: '' });
    expect(client.statsOf('ListTracks').fallbacks).toBe(1);
  });

  it('does not use the fallback for caller errors', async () => {
    const { server, client } = await harness('subtitles');
    server.otherwise(fail(status.NOT_FOUND));
    const fallback = jest.fn(() => ({ tracks: [], next_page_token: '' }));
    await expect(client.call('ListTracks', { title_id: 'tt99999' }, { fallback })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
    expect(fallback).not.toHaveBeenCalled();
  });

  it('propagates fault-injection metadata from the request being served', async () => {
    const { server, client } = await harness('catalog');
    const incoming = new Metadata();
    incoming.set(FAULT_METADATA_KEY, 'billing=UNAVAILABLE');
    await runWithRequestContext(servedCall({ deadline: Infinity, metadata: incoming, priority: 'sheddable' }), () =>
      client.call('GetTitle', { title_id: 'tt00001' }),
    );
    expect(server.received[0]!.metadata.get(FAULT_METADATA_KEY)).toEqual(['billing=UNAVAILABLE']);
    // The priority travels too: work done for a sheddable call is sheddable downstream.
    expect(server.received[0]!.metadata.get('x-streamplane-priority')).toEqual(['sheddable']);
  });
});

describe('a sick target', () => {
  const resetTimeoutOf = (breakers: BreakerRegistry, key: string) =>
    (breakers.get(key) as unknown as { options: { resetTimeout: number } }).options.resetTimeout;

  it('opens the breaker on a burst of failures after a long run of successes', async () => {
    const { server, client } = await harness('catalog', { maxAttempts: 1 });
    for (let i = 0; i < 300; i++) await client.call('GetTitle', { title_id: 'tt00001' });
    server.otherwise(fail(status.UNAVAILABLE));
    let failed = 0;
    while (!client.statsOf('GetTitle').breakerTransitions.includes('open') && failed < 100) {
      await client.call('GetTitle', { title_id: 'tt00001' }).catch(() => undefined);
      failed += 1;
    }
    // The 10 s window still holds 300 successes; the last 20 calls decide.
    expect(failed).toBe(DEFAULT_BREAKER.burstFailures);
  });

  it('lets trials through after reset timeouts that double while they fail and start short again', async () => {
    const breaker = { ...DEFAULT_BREAKER, firstResetTimeoutMs: 10, resetTimeoutMs: 40 };
    const { server, client, breakers } = await harness('catalog', { maxAttempts: 1 }, breaker);
    server.otherwise(fail(status.UNAVAILABLE));
    for (let i = 0; i < 20; i++) await client.call('GetTitle', { title_id: 'tt00001' }).catch(() => undefined);
    const timeouts: number[] = [resetTimeoutOf(breakers, 'catalog/GetTitle')];
    for (let trial = 1; trial <= 3; trial++) {
      const halfOpens = trial;
      await eventually(
        () =>
          client.statsOf('GetTitle').breakerTransitions.filter((state) => state === 'half-open').length === halfOpens,
        `trial ${trial}`,
      );
      timeouts.push(resetTimeoutOf(breakers, 'catalog/GetTitle'));
      await client.call('GetTitle', { title_id: 'tt00001' }).catch(() => undefined);
    }
    expect(timeouts).toEqual([10, 20, 40, 40]);
    server.otherwise(ok({ title_id: 'tt00001' }));
    await eventually(() => client.statsOf('GetTitle').breakerTransitions.at(-1) === 'half-open', 'a last trial');
    await client.call('GetTitle', { title_id: 'tt00001' });
    expect(client.statsOf('GetTitle').breakerTransitions.at(-1)).toBe('closed');
    expect(resetTimeoutOf(breakers, 'catalog/GetTitle')).toBe(10);
  });

  it('closes its breakers as soon as the target answers its health check, before any reset timeout', async () => {
    const breaker = { ...DEFAULT_BREAKER, firstResetTimeoutMs: 600_000, resetTimeoutMs: 600_000 };
    const { server, client } = await harness('catalog', { maxAttempts: 1 }, breaker);
    server.otherwise(fail(status.UNAVAILABLE)).serveHealth('NOT_SERVING');
    for (let i = 0; i < 20; i++) await client.call('GetTitle', { title_id: 'tt00001' }).catch(() => undefined);
    expect(client.statsOf('GetTitle').breakerTransitions).toEqual(['open']);
    await eventually(() => server.healthChecks >= 2, 'health probes while open');
    expect(client.statsOf('GetTitle').breakerTransitions).toEqual(['open']);
    const callsWhileOpen = server.count();
    server.otherwise(ok({ title_id: 'tt00001' })).serveHealth('SERVING');
    await eventually(() => client.statsOf('GetTitle').breakerTransitions.includes('closed'), 'the breaker closed');
    expect(server.count()).toBe(callsWhileOpen);
    await expect(client.call('GetTitle', { title_id: 'tt00001' })).resolves.toMatchObject({ title_id: 'tt00001' });
  });

  it('never opens the breaker on an overloaded target’s refusals', async () => {
    const { server, client } = await harness('catalog', { maxAttempts: 1 });
    server.otherwise(fail(status.RESOURCE_EXHAUSTED));
    for (let i = 0; i < 60; i++) await client.call('GetTitle', { title_id: 'tt00001' }).catch(() => undefined);
    expect(client.statsOf('GetTitle').breakerTransitions).toEqual([]);
  });

  it('stops sending to a target that keeps refusing: client-side throttling', async () => {
    const { server, client } = await harness('catalog', { maxAttempts: 1 });
    server.otherwise(fail(status.RESOURCE_EXHAUSTED));
    const calls = 300;
    for (let i = 0; i < calls; i++) {
      await expect(client.call('GetTitle', { title_id: 'tt00001' })).rejects.toMatchObject({
        code: status.RESOURCE_EXHAUSTED,
      });
    }
    const { throttled } = client.statsOf('GetTitle');
    expect(server.count() + throttled).toBe(calls);
    // (requests − 2·accepts) / (requests + 1) with no accepts: nearly everything stays here.
    expect(server.count()).toBeLessThan(30);
  });

  it('holds only its adaptive limit of calls on a target that hangs, and refuses the rest at once', async () => {
    const { server, client } = await harness('catalog', { maxAttempts: 1, budgetsMs: { GetTitle: 300 } });
    server.otherwise(stall);
    const calls = CLIENT_LIMIT.initialLimit! + 30;
    const outcomes = await Promise.all(
      Array.from({ length: calls }, () =>
        client.call('GetTitle', { title_id: 'tt00001' }).then(
          () => 'answered',
          (error: { code: number; details: string }) =>
            error.code === status.RESOURCE_EXHAUSTED && /adaptive limit/.test(error.details)
              ? 'refused at once'
              : 'timed out',
        ),
      ),
    );
    const limit = CLIENT_LIMIT.initialLimit!;
    expect(server.count()).toBe(limit);
    expect(outcomes.filter((outcome) => outcome === 'timed out')).toHaveLength(limit);
    expect(outcomes.filter((outcome) => outcome === 'refused at once')).toHaveLength(calls - limit);
    expect(client.statsOf('GetTitle').limitRefusals).toBe(calls - limit);
  });

  it('serves a burst wider than its limit to a healthy target, trying the refused calls again after the pushback', async () => {
    // Attempts to spare: on a starved machine the first twenty may still hold the limit at the second try.
    const { server, client } = await harness('catalog', { maxAttempts: 8 });
    const calls = CLIENT_LIMIT.initialLimit! * 2;
    const answers = await Promise.all(
      Array.from({ length: calls }, () => client.call('GetTitle', { title_id: 'tt00001' }).then(() => 'answered')),
    );
    expect(answers.filter((answer) => answer === 'answered')).toHaveLength(calls);
    const { limitRefusals, retries } = client.statsOf('GetTitle');
    expect(limitRefusals).toBeGreaterThanOrEqual(calls - CLIENT_LIMIT.initialLimit!);
    expect(retries).toBe(limitRefusals);
    // Only admitted calls are sent: the server saw each call once.
    expect(server.count()).toBe(calls);
  });

  it('tells a fail-closed caller refused at the limit to come back later, not that the target is down', async () => {
    const { server, client } = await harness(
      'catalog',
      { maxAttempts: 1, budgetsMs: { GetTitle: 300 } },
      DEFAULT_BREAKER,
      false,
      {
        whenUnavailable: failClosed(),
      },
    );
    server.otherwise(stall);
    const calls = CLIENT_LIMIT.initialLimit! + 1;
    const errors = await Promise.all(
      Array.from({ length: calls }, () =>
        client.call('GetTitle', { title_id: 'tt00001' }).catch((caught: Error) => caught),
      ),
    );
    const refused = errors.filter((error) => (error as { kind?: string }).kind === 'resource-exhausted');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      message: 'catalog is overloaded; retry later',
      retryAfterMs: expect.any(Number),
    });
  });

  it('fails closed with a sentence naming the dependency, never the target’s own words', async () => {
    const { server, client } = await harness('catalog', { maxAttempts: 1 }, DEFAULT_BREAKER, false, {
      whenUnavailable: failClosed(),
    });
    server.next({ kind: 'fail', code: status.UNAVAILABLE, details: 'read ECONNRESET' });
    const error = await client.call('GetTitle', { title_id: 'tt00001' }).catch((caught: Error) => caught);
    expect((error as Error).message).toBe('catalog is unavailable');
  });

  it('passes an overloaded dependency’s refusal on as RESOURCE_EXHAUSTED, with its retry-after', async () => {
    const { server, client } = await harness('catalog', { maxAttempts: 1 }, DEFAULT_BREAKER, false, {
      whenUnavailable: failClosed(),
    });
    server.next(fail(status.RESOURCE_EXHAUSTED, { 'grpc-retry-pushback-ms': '35' }));
    const error = await client.call('GetTitle', { title_id: 'tt00001' }).catch((caught: Error) => caught);
    expect(error).toMatchObject({
      kind: 'resource-exhausted',
      retryAfterMs: 35,
      message: 'catalog is overloaded; retry later',
    });
  });
});

describe('the connection', () => {
  it('lets its target send up to 1 MiB of answers before waiting for a WINDOW_UPDATE, not HTTP/2’s 64 KiB', async () => {
    // A busy caller late with its WINDOW_UPDATEs would otherwise hold every answer that carries a message
    // behind 64 KiB, while trailers-only refusals still pass (see CHANNEL_OPTIONS).
    const { server, client } = await harness('catalog');
    await client.call('GetTitle', { title_id: 'tt00001' });
    const windows = await server.callerReceiveWindows();
    expect(windows).toHaveLength(1);
    expect(windows[0]).toBeGreaterThanOrEqual(1024 * 1024 - 64 * 1024);
  });
});
