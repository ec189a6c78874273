import { UnavailableError } from '../src/errors/domain-errors';
import { Logger } from '../src/logging/logger';
import { Readiness } from '../src/server/readiness';
import { StoreGuard } from '../src/stores/store-guard';
import { eventually } from '@streamplane/testkit';
import { isPostgresConnectionError, isPostgresOverloadError } from '../src/stores/postgres';

const quietLogger = new Logger('test', 'error');

describe('Readiness', () => {
  it('is ready only while every dependency is up, and tells listeners about each change once', () => {
    const readiness = new Readiness(quietLogger);
    const changes: boolean[] = [];
    readiness.onChange((ready) => changes.push(ready));
    readiness.report('postgres', false, 'connection refused');
    readiness.report('redis', false, 'connection refused');
    readiness.report('postgres', false, 'still down');
    readiness.report('postgres', true);
    expect(readiness.ready).toBe(false);
    expect([...readiness.failing.keys()]).toEqual(['redis']);
    readiness.report('redis', true);
    readiness.report('redis', true);
    expect(readiness.ready).toBe(true);
    expect(changes).toEqual([false, true]);
  });
});

describe('StoreGuard', () => {
  const connectionRefused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });

  function guard(ping: () => Promise<void>) {
    const readiness = new Readiness(quietLogger);
    const storeGuard = new StoreGuard({
      name: 'redis',
      readiness,
      logger: quietLogger,
      ping,
      isConnectionError: (error) => (error as { code?: string }).code === 'ECONNREFUSED',
      probeIntervalMs: 1,
    });
    return { readiness, storeGuard };
  }

  it('turns a lost connection into UNAVAILABLE, not ready, and recovers once a ping succeeds', async () => {
    let pings = 0;
    const { readiness, storeGuard } = guard(async () => {
      pings++;
      if (pings < 3) throw connectionRefused;
    });
    try {
      await expect(storeGuard.run(() => Promise.reject(connectionRefused))).rejects.toThrow(UnavailableError);
      expect(readiness.ready).toBe(false);
      await eventually(() => readiness.ready, 'the store to be reported up again');
      expect(pings).toBe(3);
      await expect(storeGuard.run(async () => 'answer')).resolves.toBe('answer');
    } finally {
      storeGuard.close();
    }
  });

  it('passes other errors through untouched and stays ready', async () => {
    const { readiness, storeGuard } = guard(async () => undefined);
    const constraint = new Error('duplicate key value violates unique constraint');
    await expect(storeGuard.run(() => Promise.reject(constraint))).rejects.toBe(constraint);
    expect(readiness.ready).toBe(true);
    storeGuard.close();
  });
});

describe('StoreGuard and a busy store', () => {
  it('answers UNAVAILABLE for a statement timeout but stays in rotation', async () => {
    const readiness = new Readiness(quietLogger);
    const statementTimeout = Object.assign(new Error('canceling statement due to statement timeout'), {
      code: '57014',
    });
    const storeGuard = new StoreGuard({
      name: 'postgres',
      readiness,
      logger: quietLogger,
      ping: async () => undefined,
      isConnectionError: isPostgresConnectionError,
      isOverloadError: isPostgresOverloadError,
    });
    await expect(storeGuard.run(() => Promise.reject(statementTimeout))).rejects.toThrow(
      /postgres is overloaded \(canceling statement due to statement timeout\)/,
    );
    await expect(storeGuard.run(() => Promise.reject(statementTimeout))).rejects.toBeInstanceOf(UnavailableError);
    expect(readiness.ready).toBe(true);
    storeGuard.close();
  });
});
