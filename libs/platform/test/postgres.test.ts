import { Pool } from 'pg';
import { loadConfig, platformConfigSchema } from '../src/config/config';
import { UnavailableError } from '../src/errors/domain-errors';
import { Logger } from '../src/logging/logger';
import { Readiness } from '../src/server/readiness';
import {
  isPostgresConnectionError,
  migrate,
  openPostgresStore,
  postgresUrl,
  withTransaction,
  type Migration,
} from '../src/stores/postgres';
import { eventually, describeWithPostgres, holdRowLocks, scratchSchemas } from '@streamplane/testkit';

const quietLogger = new Logger('test', 'error');

/** A logger that keeps its lines for the test instead of printing them. */
function capturingLogger(): { logger: Logger; lines: Array<{ level: string; msg: string }> } {
  const lines: Array<{ level: string; msg: string }> = [];
  const logger = new Logger('test', 'info', {}, (line) => lines.push(JSON.parse(line)));
  return { logger, lines };
}

describe('postgresUrl', () => {
  it('accepts postgres:// and postgresql:// URLs and explains what else it wanted', () => {
    expect(postgresUrl().safeParse('postgres://u:p@db:5432/streamplane').success).toBe(true);
    expect(postgresUrl().safeParse('postgresql://db/streamplane').success).toBe(true);
    const wrong = postgresUrl().safeParse('mysql://db/streamplane');
    expect(wrong.success).toBe(false);
    expect(wrong.error?.issues[0]?.message).toContain('postgres:// or postgresql://');
  });

  it('names DATABASE_URL when a service is given a wrong one, and leaves it unset when absent', () => {
    const schema = platformConfigSchema.extend({ DATABASE_URL: postgresUrl().optional() });
    expect(() => loadConfig(schema, { DATABASE_URL: 'redis://cache:6379' })).toThrow(
      'DATABASE_URL: expected a postgres:// or postgresql:// URL',
    );
    expect(loadConfig(schema, {}).DATABASE_URL).toBeUndefined();
  });
});

describe('isPostgresConnectionError', () => {
  it('recognises lost or refused connections, and nothing else', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(isPostgresConnectionError(refused)).toBe(true);
    expect(isPostgresConnectionError(new AggregateError([refused], ''))).toBe(true);
    expect(isPostgresConnectionError(Object.assign(new Error('terminating'), { code: '57P01' }))).toBe(true);
    expect(isPostgresConnectionError(Object.assign(new Error('no connection'), { code: '08006' }))).toBe(true);
    expect(isPostgresConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isPostgresConnectionError(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isPostgresConnectionError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isPostgresConnectionError(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
    expect(isPostgresConnectionError('ECONNREFUSED')).toBe(false);
  });
});

describeWithPostgres('PostgreSQL plumbing', (postgres) => {
  const scratch = scratchSchemas(postgres, 's');
  const pool = (schema?: string) => scratch.pool(schema);

  const MIGRATIONS: Migration[] = [
    { version: 1, name: 'log', sql: 'CREATE TABLE log (entry text NOT NULL)' },
    { version: 2, name: 'first entry', sql: "INSERT INTO log VALUES ('v2')" },
  ];
  const entries = async (db: Pool) => (await db.query<{ entry: string }>('SELECT entry FROM log')).rows;

  describe('migrate', () => {
    it('applies each migration once, in order, and records it', async () => {
      const { pool: db, schema } = pool();
      expect(await migrate(db, schema, MIGRATIONS)).toEqual([1, 2]);
      expect(await migrate(db, schema, MIGRATIONS)).toEqual([]);
      const added = [...MIGRATIONS, { version: 5, name: 'later', sql: "INSERT INTO log VALUES ('v5')" }];
      expect(await migrate(db, schema, added)).toEqual([5]);
      expect(await entries(db)).toEqual([{ entry: 'v2' }, { entry: 'v5' }]);
      const recorded = await db.query('SELECT version, name FROM schema_migrations ORDER BY version');
      expect(recorded.rows).toEqual([
        { version: 1, name: 'log' },
        { version: 2, name: 'first entry' },
        { version: 5, name: 'later' },
      ]);
    });

    it('migrates once when replicas start together', async () => {
      const schema = scratch.freshSchema();
      const replicas = [pool(schema).pool, pool(schema).pool, pool(schema).pool];
      const applied = await Promise.all(replicas.map((db) => migrate(db, schema, MIGRATIONS)));
      expect(applied.flat().sort()).toEqual([1, 2]);
      expect(await entries(replicas[0]!)).toEqual([{ entry: 'v2' }]);
    });

    it('applies a failing migration not at all, keeps the ones before it, and retries it next time', async () => {
      const { pool: db, schema } = pool();
      const broken = [
        ...MIGRATIONS,
        { version: 3, name: 'broken', sql: "INSERT INTO log VALUES ('v3'); SELECT no_such_column FROM log" },
      ];
      await expect(migrate(db, schema, broken)).rejects.toThrow('no_such_column');
      expect(await entries(db)).toEqual([{ entry: 'v2' }]);
      const fixed = [...MIGRATIONS, { version: 3, name: 'fixed', sql: "INSERT INTO log VALUES ('v3')" }];
      expect(await migrate(db, schema, fixed)).toEqual([3]);
    });

    it('refuses migrations out of order and schema names it cannot splice into SQL', async () => {
      const { pool: db, schema } = pool();
      await expect(migrate(db, schema, [MIGRATIONS[1]!, MIGRATIONS[0]!])).rejects.toThrow('increasing version');
      await expect(migrate(db, 'x; DROP TABLE y', MIGRATIONS)).rejects.toThrow('lower-case SQL identifier');
    });
  });

  describe('withTransaction', () => {
    it('commits what succeeds and rolls back what throws', async () => {
      const { pool: db, schema } = pool();
      await migrate(db, schema, MIGRATIONS);
      await withTransaction(db, (client) => client.query("INSERT INTO log VALUES ('kept')"));
      const failure = new Error('refused');
      await expect(
        withTransaction(db, async (client) => {
          await client.query("INSERT INTO log VALUES ('lost')");
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect((await entries(db)).map((row) => row.entry)).toEqual(['v2', 'kept']);
    });

    it('runs the work again after a serialization failure', async () => {
      const { pool: db, schema } = pool();
      await migrate(db, schema, MIGRATIONS);
      let attempts = 0;
      await withTransaction(
        db,
        async (client) => {
          await client.query(`INSERT INTO log VALUES ('attempt ${++attempts}')`);
          if (attempts === 1) throw Object.assign(new Error('could not serialize access'), { code: '40001' });
        },
        { isolation: 'SERIALIZABLE' },
      );
      expect((await entries(db)).map((row) => row.entry)).toEqual(['v2', 'attempt 2']);
    });

    it('on any pool, fails a transaction whose server is killed under it and releases the client with the error', async () => {
      const { pool: db, schema } = pool();
      await migrate(db, schema, MIGRATIONS);
      // A pool of its own making, without createPostgresPool's listeners: withTransaction must not need them.
      const plain = new Pool({ connectionString: scratch.url(), options: `-c search_path=${schema}`, max: 1 });
      plain.on('error', () => undefined); // idle connections are the pool owner's to listen to; not this test's subject
      const released: Array<Error | undefined> = [];
      plain.on('release', (error) => released.push(error));
      const locks = await holdRowLocks(scratch.url(), `SELECT 1 FROM ${schema}.log FOR UPDATE`);
      try {
        const cut = withTransaction(plain, async (client) => {
          await client.query('SELECT 1 FROM log FOR UPDATE');
          await client.query("INSERT INTO log VALUES ('never committed')");
        }).catch((error: unknown) => error);
        await eventually(async () => (await locks.waiters()) === 1, 'the transaction to wait on the held rows');
        await postgres.server.crash();

        const failure = await cut;
        expect(isPostgresConnectionError(failure)).toBe(true);
        // Released with its error, so the pool destroys the connection instead of handing it out again.
        expect(released).toEqual([failure]);

        await postgres.server.restart();
        await withTransaction(plain, (client) => client.query("INSERT INTO log VALUES ('after restart')"));
        expect((await entries(plain)).map((row) => row.entry)).toEqual(['v2', 'after restart']);
      } finally {
        await locks.release();
        await plain.end();
      }
    });
  });

  describe('openPostgresStore', () => {
    class LogStore {
      constructor(private readonly db: Pool) {}

      async count(): Promise<number> {
        return (await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM log')).rows[0]!.n;
      }

      /** Appends once no one else holds a row of the log, in withTransaction. */
      async appendAfterLock(entry: string): Promise<void> {
        await withTransaction(this.db, async (client) => {
          await client.query('SELECT 1 FROM log FOR UPDATE');
          await client.query('INSERT INTO log VALUES ($1)', [entry]);
        });
      }

      /** The same on a client checked out by hand, as a store may: not every checkout is withTransaction's. */
      async appendAfterLockByHand(entry: string): Promise<void> {
        const client = await this.db.connect();
        try {
          await client.query('BEGIN');
          await client.query('SELECT 1 FROM log FOR UPDATE');
          await client.query('INSERT INTO log VALUES ($1)', [entry]);
          await client.query('COMMIT');
        } finally {
          client.release();
        }
      }

      /** A statement that outlives its statement_timeout, as on an overloaded server. */
      async overrunStatementTimeout(): Promise<void> {
        const client = await this.db.connect();
        try {
          await client.query('BEGIN');
          await client.query("SET LOCAL statement_timeout = '20ms'");
          await client.query('SELECT pg_sleep(2)');
        } finally {
          await client.query('ROLLBACK').catch(() => undefined);
          client.release();
        }
      }
    }

    const open = (schema: string, readiness: Readiness, logger = quietLogger) =>
      openPostgresStore({
        url: scratch.url(),
        schema,
        migrations: MIGRATIONS,
        readiness,
        logger,
        createStore: (db) => new LogStore(db),
        firstRetryMs: 10,
        maxRetryMs: 50,
        probeIntervalMs: 10,
      });

    it('outlives a kill -9 of the server mid-transaction: UNAVAILABLE naming the database, then back by itself', async () => {
      const readiness = new Readiness(quietLogger);
      const { logger, lines } = capturingLogger();
      const schema = scratch.freshSchema();
      const refusal = new RegExp(`^${schema} database is unavailable \\(incident [0-9a-f-]{36}\\); retry later$`);
      const opened = await open(schema, readiness, logger);
      try {
        await opened.store.appendAfterLock('acknowledged');
        const locks = await holdRowLocks(scratch.url(), `SELECT 1 FROM ${schema}.log FOR UPDATE`);
        const inFlight = [opened.store.appendAfterLock('cut'), opened.store.appendAfterLockByHand('cut by hand')];
        const outcomes = Promise.all(inFlight.map((append) => append.catch((error: unknown) => error)));
        await eventually(async () => (await locks.waiters()) === 2, 'both appends to wait on the held rows');
        await postgres.server.crash();

        for (const outcome of await outcomes) {
          expect(outcome).toBeInstanceOf(UnavailableError);
          expect((outcome as Error).message).toMatch(refusal);
        }
        expect(readiness.ready).toBe(false);
        await expect(opened.store.count()).rejects.toThrow(refusal);
        // The driver's words are logged once for the outage, not once per refused call.
        expect(lines.filter((line) => line.level === 'error')).toEqual([
          expect.objectContaining({ msg: `${schema} database unavailable; NOT_SERVING until it answers again` }),
        ]);

        await postgres.server.restart();
        await eventually(() => readiness.ready, 'the store to be reported up again');
        expect(await opened.store.count()).toBe(2); // v2 and the acknowledged append; nothing of the cut ones
      } finally {
        await opened.close();
      }
    });

    it('is UNAVAILABLE but stays ready when a statement times out (busy, not gone)', async () => {
      const readiness = new Readiness(quietLogger);
      const opened = await open(scratch.freshSchema(), readiness);
      try {
        await expect(opened.store.overrunStatementTimeout()).rejects.toThrow(/^s_\d+ database is overloaded/);
        expect(readiness.ready).toBe(true);
        expect(await opened.store.count()).toBe(1);
      } finally {
        await opened.close();
      }
    });

    it('starts with the database down: not ready, UNAVAILABLE, then migrates once it is up', async () => {
      await postgres.server.stop();
      const readiness = new Readiness(quietLogger);
      const opened = await open(scratch.freshSchema(), readiness);
      try {
        expect(readiness.ready).toBe(false);
        await expect(opened.store.count()).rejects.toThrow(UnavailableError);

        await postgres.server.restart();
        await opened.ready;
        await eventually(() => readiness.ready, 'the store to be reported ready');
        expect(await opened.store.count()).toBe(1);
      } finally {
        await opened.close();
      }
    });
  });
});
