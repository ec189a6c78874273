import { UnavailableError } from '../src/errors/domain-errors';
import { Logger } from '../src/logging/logger';
import { Readiness } from '../src/server/readiness';
import {
  connectGuardedRedis,
  isRedisConnectionError,
  RedisScript,
  redisUrl,
  type GuardedRedis,
} from '../src/stores/redis';
import { eventually, describeWithRedis } from '@streamplane/testkit';

const quietLogger = new Logger('test', 'error');

describe('redisUrl', () => {
  it('accepts redis:// and rediss:// URLs and explains what else it wanted', () => {
    expect(redisUrl().safeParse('redis://redis:6379/0').success).toBe(true);
    expect(redisUrl().safeParse('rediss://:secret@cache.example.com:6380').success).toBe(true);
    for (const wrong of ['http://redis:6379', 'redis:6379', '']) {
      const parsed = redisUrl().safeParse(wrong);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toBe(
        'expected a redis:// or rediss:// URL such as redis://redis:6379/0',
      );
    }
  });
});

describe('isRedisConnectionError', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' })],
    ['a call while disconnected', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['a call cut by a dropped connection', new Error('Reached the max retries per request limit (which is 0).')],
    ['a Redis that does not answer', new Error('Command timed out')],
    ['a Redis still loading its data', new Error('LOADING Redis is loading the dataset in memory')],
  ])('is true for %s', (_, error) => {
    expect(isRedisConnectionError(error)).toBe(true);
  });

  it.each([
    ['a script error', new Error('ERR user_script:1: Script attempted to access nonexistent global variable')],
    ['a type error', new Error('WRONGTYPE Operation against a key holding the wrong kind of value')],
    ['something that is not an error', 'ECONNREFUSED'],
  ])('is false for %s', (_, error) => {
    expect(isRedisConnectionError(error)).toBe(false);
  });
});

describeWithRedis('connectGuardedRedis', (redis) => {
  const opened: GuardedRedis[] = [];

  async function connect(readiness: Readiness): Promise<GuardedRedis> {
    const guarded = await connectGuardedRedis(redis().url, { readiness, logger: quietLogger, probeIntervalMs: 20 });
    opened.push(guarded);
    return guarded;
  }

  afterAll(async () => {
    await Promise.all(opened.map((guarded) => guarded.close()));
  });

  it('loses readiness with the connection, fails calls with UNAVAILABLE, and recovers by itself', async () => {
    const readiness = new Readiness(quietLogger);
    const { client, guard } = await connect(readiness);
    expect(readiness.ready).toBe(true);

    await redis().kill();
    // No call needed: the dropped connection alone turns the service NOT_SERVING.
    await eventually(() => !readiness.ready, 'readiness to follow the lost connection');
    await expect(guard.run(() => client.set('key', 'value'))).rejects.toThrow(UnavailableError);
    // Not ioredis's "Stream isn't writeable and enableOfflineQueue options is false": that goes to the log.
    await expect(guard.run(() => client.set('key', 'value'))).rejects.toThrow(
      /^redis is unavailable \(incident [0-9a-f-]{36}\); retry later$/,
    );

    await redis().restart();
    await eventually(() => readiness.ready, 'readiness to come back with Redis');
    await expect(guard.run(() => client.set('key', 'value'))).resolves.toBe('OK');
  });

  it('starts without Redis, not ready, and becomes ready once Redis appears', async () => {
    await redis().kill();
    const readiness = new Readiness(quietLogger);
    const { client, guard } = await connect(readiness);
    expect(readiness.ready).toBe(false);
    await expect(guard.run(() => client.ping())).rejects.toThrow(UnavailableError);

    await redis().restart();
    await eventually(() => readiness.ready, 'readiness once Redis is up');
    await expect(guard.run(() => client.ping())).resolves.toBe('PONG');
  });

  it('runs a script again after a restart emptied the script cache', async () => {
    const { client } = await connect(new Readiness(quietLogger));
    const increment = new RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])");
    expect(await increment.run(client, ['counter'], [2])).toBe(2);

    await redis().restart();
    await eventually(() => client.status === 'ready', 'a connection to the restarted, empty Redis');
    expect(await increment.run(client, ['counter'], [3])).toBe(3);
  });
});
