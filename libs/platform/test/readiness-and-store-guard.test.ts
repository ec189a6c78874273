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

  it('logs an outage once when it starts and once when it ends, however many calls it refuses', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = new Logger('test', 'info', {}, (line) => lines.push(JSON.parse(line)));
    let storeUp = false;
    const storeGuard = new StoreGuard({
      name: 'profiles database',
      readiness: new Readiness(),
      logger,
      ping: async () => {
        if (!storeUp) throw connectionRefused;
      },
      isConnectionError: (error) => error === connectionRefused,
      probeIntervalMs: 1,
    });
    const refuseCalls = async (count: number) => {
      const refusals = await Promise.all(
        Array.from({ length: count }, () =>
          storeGuard.run(() => Promise.reject(connectionRefused)).catch((error: Error) => error.message),
        ),
      );
      return new Set(refusals);
    };
    const storeLines = () => lines.filter((line) => line.store === 'profiles database');
    try {
      const first = await refuseCalls(50);
      storeUp = true;
      await eventually(() => storeLines().length === 2, 'the end of the outage to be logged');
      storeUp = false;
      const second = await refuseCalls(3);

      // Each outage has one incident, named in every refusal and in its log lines; the driver's words are
      // logged, never sent.
      const incidents = storeLines()
        .filter((line) => line.level === 'error')
        .map((line) => line.incident_id);
      expect([...first, ...second]).toEqual(
        incidents.map((incident) => `profiles database is unavailable (incident ${incident}); retry later`),
      );
      expect(storeLines()).toEqual([
        expect.objectContaining({ level: 'error', incident_id: incidents[0], error: connectionRefused.message }),
        expect.objectContaining({ level: 'info', incident_id: incidents[0], refused_calls: 50 }),
        expect.objectContaining({ level: 'error', incident_id: incidents[1], error: connectionRefused.message }),
      ]);
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
      /^postgres is overloaded \(incident [0-9a-f-]{36}\); retry later$/,
    );
    await expect(storeGuard.run(() => Promise.reject(statementTimeout))).rejects.toBeInstanceOf(UnavailableError);
    expect(readiness.ready).toBe(true);
    storeGuard.close();
  });
});
