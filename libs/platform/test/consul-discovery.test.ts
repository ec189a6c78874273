import { status } from '@grpc/grpc-js';
import { BreakerRegistry } from '../src/client/breakers';
import { ResilientClient } from '../src/client/resilient-client';
import { stopConsulWatchers, useConsulResolver } from '../src/discovery/consul-resolver';
import { Logger } from '../src/logging/logger';
import { loadProtos } from '../src/proto/proto-loader';
import { SERVICES, type ClientOf } from '@streamplane/contracts';
import { ConsulDouble, ok, ScriptedServer } from '@streamplane/testkit';
import { freePort } from '@streamplane/tools';

/**
 * Client-side load balancing over the instances Consul says are passing, through the consul:/// resolver
 * and a real Consul HTTP API (the test double), with real gRPC servers behind it.
 */
const silent = new Logger('test', 'error', {}, () => undefined);

describe('discovery through Consul', () => {
  let consul: ConsulDouble;
  let instances: ScriptedServer[];
  let breakers: BreakerRegistry;
  let client: ClientOf<'catalog'>;

  beforeEach(async () => {
    consul = await ConsulDouble.start({ maxWaitMs: 200, jitter: false });
    instances = await Promise.all([1, 2, 3].map(() => ScriptedServer.start(SERVICES.catalog)));
    instances.forEach((instance, i) => {
      instance.otherwise(ok({ title_id: 'tt00001' }));
      consul.register({ id: `catalog-${i + 1}`, name: 'catalog', address: '127.0.0.1', port: instance.port });
    });
    useConsulResolver({
      logger: silent,
      watch: { waitSeconds: 1, minIntervalMs: 5, errorBackoffBaseMs: 10, errorBackoffCapMs: 50 },
    });
    breakers = new BreakerRegistry();
    client = new ResilientClient(
      SERVICES.catalog,
      `consul://${consul.address}/catalog`,
      loadProtos([SERVICES.catalog.protoFile]).definition,
      { breakers, logger: silent, options: { backoff: { baseMs: 1, capMs: 5 } } },
    );
  });

  afterEach(async () => {
    client.close();
    breakers.close();
    stopConsulWatchers();
    for (const instance of instances) instance.stop();
    await consul.stop();
  });

  const callTimes = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i++) await client.call('GetTitle', { title_id: 'tt00001' });
  };

  /** Calls until every listed instance has answered at least once (all connections are up). */
  async function warmUp(expected: ScriptedServer[]): Promise<void> {
    for (let calls = 0; calls < 500 && expected.some((instance) => instance.count() === 0); calls++) await callTimes(1);
    for (const instance of instances) instance.received.length = 0;
  }

  /** Calls until `gone` has received nothing for a whole round over the others (the update arrived). */
  async function untilOutOfRotation(gone: ScriptedServer): Promise<void> {
    for (let rounds = 0; rounds < 200; rounds++) {
      const before = gone.count();
      await callTimes(6);
      if (gone.count() === before) return;
    }
    throw new Error('the instance never left rotation');
  }

  it('spreads calls round-robin over the passing instances', async () => {
    await warmUp(instances);
    await callTimes(30);
    expect(instances.map((instance) => instance.count())).toEqual([10, 10, 10]);
  });

  it('takes an instance out of rotation when its check turns critical, without a restart', async () => {
    await warmUp(instances);
    consul.setStatus('catalog-2', 'critical');
    await untilOutOfRotation(instances[1]!);
    const before = instances[1]!.count();
    await callTimes(30);
    expect(instances[1]!.count()).toBe(before);
    expect(instances[0]!.count() + instances[2]!.count()).toBeGreaterThanOrEqual(30);
  });

  it('takes a deregistered instance out and lets a new one in', async () => {
    await warmUp(instances);
    consul.deregister('catalog-1');
    await untilOutOfRotation(instances[0]!);
    const newcomer = await ScriptedServer.start(SERVICES.catalog);
    instances.push(newcomer);
    newcomer.otherwise(ok({ title_id: 'tt00001' }));
    consul.register({ id: 'catalog-4', name: 'catalog', address: '127.0.0.1', port: newcomer.port });
    for (let calls = 0; calls < 500 && newcomer.count() === 0; calls++) await callTimes(1);
    expect(newcomer.count()).toBeGreaterThan(0);
  });

  it('keeps calling the last known instances while Consul is down', async () => {
    await warmUp(instances);
    const queriesBefore = consul.requests.length;
    await consul.goDown();
    await callTimes(30);
    expect(instances.map((instance) => instance.count())).toEqual([10, 10, 10]);

    await consul.comeBack();
    consul.setStatus('catalog-3', 'critical');
    await untilOutOfRotation(instances[2]!);
    expect(consul.requests.length).toBeGreaterThan(queriesBefore);
  });

  it('fails with UNAVAILABLE when no instance is passing', async () => {
    await warmUp(instances);
    for (const id of ['catalog-1', 'catalog-2', 'catalog-3']) consul.setStatus(id, 'critical');
    let error: unknown;
    for (let calls = 0; calls < 200 && !error; calls++) {
      error = await client.call('GetTitle', { title_id: 'tt00001' }).then(
        () => undefined,
        (failure: unknown) => failure,
      );
    }
    expect(error).toMatchObject({
      code: status.UNAVAILABLE,
      details: expect.stringMatching(/no passing instance of catalog known to Consul at /),
    });
  });
});

describe('discovery through a Consul agent that does not answer', () => {
  it('fails calls at once with UNAVAILABLE naming the service and the agent, not a name-resolution timeout', async () => {
    const agent = `127.0.0.1:${await freePort()}`;
    useConsulResolver({
      logger: silent,
      watch: { waitSeconds: 1, minIntervalMs: 5, errorBackoffBaseMs: 10, errorBackoffCapMs: 50 },
    });
    const breakers = new BreakerRegistry();
    const client: ClientOf<'catalog'> = new ResilientClient(
      SERVICES.catalog,
      `consul://${agent}/catalog`,
      loadProtos([SERVICES.catalog.protoFile]).definition,
      { breakers, logger: silent, options: { maxAttempts: 1, defaultBudgetMs: 5_000 } },
    );
    try {
      const startedAt = Date.now();
      const failure = await client.call('GetTitle', { title_id: 'tt00001' }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toMatchObject({
        code: status.UNAVAILABLE,
        details: expect.stringContaining(
          `no instance of catalog known to Consul at ${agent}: the agent does not answer (`,
        ),
      });
      // Refused as soon as the agent failed to answer, well before the call's 5 s deadline.
      expect(Date.now() - startedAt).toBeLessThan(4_000);
    } finally {
      client.close();
      breakers.close();
      stopConsulWatchers();
    }
  });
});
