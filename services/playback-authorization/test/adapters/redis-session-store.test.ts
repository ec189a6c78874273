import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { loadConfig, Logger, Readiness } from '@streamplane/platform';
import { ResourceExhaustedError, UnavailableError } from '@streamplane/platform/errors';
import { connectGuardedRedis, createRedisClient } from '@streamplane/platform/redis';
import { eventually, describeWithRedis, holdWrites } from '@streamplane/testkit';
import { playbackConfigSchema } from '../../src/config';
import { RedisSessionStore } from '../../src/adapters/redis-session-store';
import { at, CONTRACT_NOW, contractSession, sessionStoreContract } from './session-store.contract';

/** What a call refused while Redis is gone says: the store, the incident, nothing of ioredis. */
const REFUSAL = /^redis is unavailable \(incident [0-9a-f-]{36}\); retry later$/;

describe('REDIS_URL', () => {
  it('keeps sessions in memory when unset, and names the variable when it is not a Redis URL', () => {
    expect(loadConfig(playbackConfigSchema, {}).REDIS_URL).toBeUndefined();
    expect(loadConfig(playbackConfigSchema, { REDIS_URL: 'redis://redis:6379/0' }).REDIS_URL).toBe(
      'redis://redis:6379/0',
    );
    expect(() => loadConfig(playbackConfigSchema, { REDIS_URL: 'postgres://db/streamplane' })).toThrow(
      'REDIS_URL: expected a redis:// or rediss:// URL',
    );
  });
});

describeWithRedis('RedisSessionStore', (redis) => {
  const clients: Redis[] = [];

  async function connect(): Promise<Redis> {
    const client = createRedisClient(redis().url, { lazyConnect: true });
    clients.push(client);
    await client.connect();
    return client;
  }

  /** Each store gets keys of its own, so tests sharing the server never see each other's sessions. */
  function storeOn(client: Redis, keyPrefix = `test:${randomUUID()}:`): RedisSessionStore {
    return new RedisSessionStore(client, { keyPrefix });
  }

  afterAll(() => {
    for (const client of clients) client.disconnect();
  });

  describe('contract', () => {
    sessionStoreContract(async () => storeOn(await connect()));
  });

  it('lets every key expire with its sessions: nothing is left of an account that stopped watching', async () => {
    const client = await connect();
    const store = storeOn(client);
    // Real time here: Redis itself has to expire the keys, without any further call to the store.
    const now = new Date();
    const soon = contractSession('soon', 'acct-0200', new Date(now.getTime() + 200));
    const later = contractSession('later', 'acct-0200', new Date(now.getTime() + 400));
    await store.openWithinLimit(soon, 2, now);
    await store.openWithinLimit(later, 2, now);
    const keys = [store.accountKey('acct-0200'), store.sessionKey('soon'), store.sessionKey('later')];
    expect(await client.exists(...keys)).toBe(3);

    await eventually(async () => (await client.exists(store.sessionKey('soon'))) === 0, 'the first session to go');
    expect(await client.zscore(store.accountKey('acct-0200'), 'later')).not.toBeNull();
    await eventually(async () => (await client.exists(...keys)) === 0, 'every key of the account to go');
  });

  it('grants exactly the limit to 50 requests racing through two connections', async () => {
    const keyPrefix = `test:${randomUUID()}:`;
    const replicas = [storeOn(await connect(), keyPrefix), storeOn(await connect(), keyPrefix)];
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        replicas[i % 2]!.openWithinLimit(contractSession(`race-${i}`, 'acct-0201'), 2, CONTRACT_NOW),
      ),
    );
    const refusals = results.filter((result) => result.status === 'rejected').map((result) => result.reason);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(2);
    expect(refusals.every((reason) => reason instanceof ResourceExhaustedError)).toBe(true);
    expect(refusals[0].message).toContain('2 of 2');
    expect(await replicas[0]!.liveSessions('acct-0201', CONTRACT_NOW)).toHaveLength(2);
  });

  it('refuses with UNAVAILABLE naming Redis while it is killed mid-call, and serves again after a restart', async () => {
    const readiness = new Readiness();
    const { client, guard, close } = await connectGuardedRedis(redis().url, {
      readiness,
      logger: new Logger('test', 'info', {}, () => undefined),
      probeIntervalMs: 20,
    });
    const store = new RedisSessionStore(client, { guard, keyPrefix: `test:${randomUUID()}:` });
    /** 'ok', 'refused' (UNAVAILABLE in the stable words), or whatever else happened, so a mismatch shows it. */
    const outcome = (operation: Promise<unknown>) =>
      operation.then(
        () => 'ok',
        (error: Error) =>
          error instanceof UnavailableError && REFUSAL.test(error.message) ? 'refused' : String(error),
      );
    try {
      await store.openWithinLimit(contractSession('watching', 'acct-0300'), 1, CONTRACT_NOW);
      // Twenty writes in flight when Redis dies: each waits inside Redis (or queued behind one that does).
      const writes = await holdWrites(redis());
      const inFlight = Array.from({ length: 20 }, (_, i) =>
        outcome(
          i % 2 === 0
            ? store.extend('watching', 'acct-0300', at(120_000), CONTRACT_NOW)
            : store.openWithinLimit(contractSession(`racing-${i}`, 'acct-0301'), 20, CONTRACT_NOW),
        ),
      );
      await eventually(async () => (await writes.waiters()) === 1, "the store's connection to wait on the pause");
      await redis().kill();
      const whileDown = await outcome(store.liveSessions('acct-0300', CONTRACT_NOW));

      expect([...(await Promise.all(inFlight)), whileDown]).toEqual(Array.from({ length: 21 }, () => 'refused'));
      expect(readiness.ready).toBe(false);

      await redis().restart();
      await eventually(() => readiness.ready, 'the store to be reported up again');
      await store.openWithinLimit(contractSession('after', 'acct-0300'), 1, CONTRACT_NOW);
      expect((await store.liveSessions('acct-0300', CONTRACT_NOW)).map((session) => session.sessionId)).toEqual([
        'after',
      ]);
    } finally {
      await close();
    }
  });
});
