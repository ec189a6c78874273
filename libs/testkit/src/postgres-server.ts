import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Client, type Pool } from 'pg';
import { eventually } from './eventually';
import { describeWhenAvailable } from './required-binary';
import { releaseEventLoop } from './service-process';
import { freePort } from '@streamplane/tools';
import { createPostgresPool } from '@streamplane/platform/postgres';

/**
 * Real PostgreSQL servers for tests: `initdb` in a fresh temporary directory, `postgres` on an ephemeral
 * 127.0.0.1 port, fsync off (the data is thrown away). Nothing is shared with a system PostgreSQL, and
 * every server a test file starts is stopped after it, whatever happened, and when the process exits.
 *
 * PostgreSQL refuses to run as root; under root (CI containers) the server runs as the unprivileged
 * `postgres` user that the Debian packages create, and owns its temporary directory.
 */

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

export interface PostgresServer {
  readonly port: number;
  /** URL of the `postgres` database, as superuser `postgres` (trust authentication, loopback only). */
  readonly url: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(): Promise<string>;
  /** Fast shutdown: clients are disconnected, the data is kept for restart(). */
  stop(): Promise<void>;
  /** Immediate shutdown (SIGQUIT), as in a crash: connections are cut, the next start runs crash recovery. */
  kill(): Promise<void>;
  /**
   * `kill -9` of the whole server, postmaster and every backend at once (as the OOM killer or a killed
   * container does): no process says goodbye, clients find their sockets reset mid-statement. What was
   * committed stays; the next start runs crash recovery.
   */
  crash(): Promise<void>;
  /** Starts the server again on the same port and data. */
  restart(): Promise<void>;
  /** Stops the server and deletes its data. */
  destroy(): Promise<void>;
}

/** Where PostgreSQL's server binaries may be: PATH first, then the Debian layout, newest version first. */
export function findPostgresBinaries(): PostgresBinaries | undefined {
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const directories = [
    ...(process.env.PATH ?? '').split(delimiter).filter(Boolean),
    ...versions.map((version) => join(debian, version, 'bin')),
  ];
  for (const directory of directories) {
    const initdb = join(directory, 'initdb');
    const postgres = join(directory, 'postgres');
    if (existsSync(initdb) && existsSync(postgres)) return { initdb, postgres };
  }
  return undefined;
}

const running = new Set<ChildProcess>();
const directories = new Set<string>();

// Whatever happens to the tests, no server outlives the jest worker and no data directory is left behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGQUIT');
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

export async function startPostgres(binaries: PostgresBinaries): Promise<PostgresServer> {
  const owner = unprivilegedOwner();
  const directory = mkdtempSync(join(tmpdir(), 'streamplane-pg-'));
  directories.add(directory);
  if (owner) chownSync(directory, owner.uid, owner.gid);
  const data = join(directory, 'data');
  const spawnOptions = { cwd: directory, ...(owner ?? {}) };

  const initdb = spawnSync(
    binaries.initdb,
    ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
    { ...spawnOptions, encoding: 'utf8' },
  );
  if (initdb.status !== 0) throw new Error(`initdb failed (${initdb.status}):\n${initdb.stderr}${initdb.error ?? ''}`);

  const port = await freePort();
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(
      binaries.postgres,
      [
        ...['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', directory],
        // Speed without losing commits to kill(): fsync only matters if the machine, not postgres, crashes.
        // (synchronous_commit=off would lose the last commits to an immediate shutdown.)
        ...['-c', 'fsync=off', '-c', 'full_page_writes=off'],
      ],
      { ...spawnOptions, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    running.add(child);
    child.once('exit', () => running.delete(child!));
    releaseEventLoop(child);
    await acceptingConnections(child);
  };
  const shutdown = async (signal: NodeJS.Signals) => {
    const server = child;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill(signal);
    await exited;
  };

  await launch();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let databases = 0;
  return {
    port,
    url,
    async createDatabase() {
      const name = `test_${++databases}`;
      const admin = new Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop: () => shutdown('SIGINT'),
    kill: () => shutdown('SIGQUIT'),
    crash: async () => {
      const postmaster = child;
      if (!postmaster?.pid || postmaster.exitCode !== null || postmaster.signalCode !== null) return;
      // Listed before the kill: once the postmaster is gone its backends belong to init.
      const backends = childrenOf(postmaster.pid);
      const exited = new Promise((resolve) => postmaster.once('exit', resolve));
      // The postmaster first, so it cannot notice a dead backend and start a crash restart of its own.
      for (const pid of [postmaster.pid, ...backends]) killIfAlive(pid, 'SIGKILL');
      await exited;
      // A new postmaster refuses to start while a backend of the old one still holds the shared memory.
      await eventually(() => !backends.some(isRunning), 'the killed backends to be gone');
    },
    restart: async () => {
      await shutdown('SIGINT');
      await launch();
    },
    destroy: async () => {
      await shutdown('SIGINT');
      rmSync(directory, { recursive: true, force: true });
      directories.delete(directory);
    },
  };
}

/** Resolves when the server logs that it accepts connections; rejects with its log if it exits first. */
function acceptingConnections(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log: string | undefined = '';
    child.stderr!.setEncoding('utf8');
    // Read to the end, so a full pipe never blocks the server; keep the text only until it is ready.
    child.stderr!.on('data', (chunk: string) => {
      if (log === undefined) return;
      log += chunk;
      if (log.includes('database system is ready to accept connections')) {
        log = undefined;
        resolve();
      }
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`postgres exited (${code ?? signal}) before ready:\n${log}`)),
    );
  });
}

/** Pids of the processes whose parent is `parent` (Linux /proc). */
function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => processStat(Number(pid))?.parent === parent)
    .map(Number);
}

/** True while `pid` exists and is not a zombie (a zombie holds no memory; it only waits to be reaped). */
function isRunning(pid: number): boolean {
  const stat = processStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

function processStat(pid: number): { state: string; parent: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone, or gone while we looked
  }
  // "pid (command) state ppid …"; the command may itself contain spaces and parentheses.
  const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: state!, parent: Number(parent) };
}

function killIfAlive(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** The `postgres` user when we are root (PostgreSQL will not run as root); undefined otherwise. */
function unprivilegedOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === 'postgres');
  if (!entry) throw new Error('running as root and there is no "postgres" user to run PostgreSQL as');
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

export interface PostgresFixture {
  /** The file's server; available in hooks and tests. */
  readonly server: PostgresServer;
}

/**
 * `describe(name, fn)` with a PostgreSQL server started before the tests and destroyed after them. Without
 * the binaries the suite follows the store rule (required-binary.ts): skipped under a name that says so,
 * with a warning, or a failure under STREAMPLANE_REQUIRE_STORES=1.
 */
export function describeWithPostgres(name: string, fn: (postgres: PostgresFixture) => void): void {
  const binaries = findPostgresBinaries();
  let server: PostgresServer | undefined;
  const fixture: PostgresFixture = {
    get server() {
      if (!server) throw new Error('the PostgreSQL server exists only inside hooks and tests');
      return server;
    },
  };
  describeWhenAvailable(
    binaries !== undefined,
    'PostgreSQL',
    'PostgreSQL server binaries (initdb, postgres) are not on PATH or in /usr/lib/postgresql/*/bin ' +
      '(Debian/Ubuntu: apt-get install postgresql)',
    name,
    () => {
      beforeAll(async () => {
        server = await startPostgres(binaries!);
      });
      afterAll(async () => {
        await server?.destroy();
      });
      fn(fixture);
    },
  );
}

/** Schemas of their own in one database of the file's server, so no test sees another's rows. */
export interface ScratchSchemas {
  /** The database's URL (available in hooks and tests). */
  url(): string;
  /** A schema name no other test of the file uses. */
  freshSchema(): string;
  /** A pool on `schema` (default: a fresh one), closed after the file's tests. */
  pool(schema?: string): { pool: Pool; schema: string };
}

export function scratchSchemas(postgres: PostgresFixture, prefix: string): ScratchSchemas {
  let databaseUrl: string | undefined;
  let created = 0;
  const pools: Pool[] = [];
  beforeAll(async () => {
    databaseUrl = await postgres.server.createDatabase();
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
  });
  const scratch: ScratchSchemas = {
    url() {
      if (!databaseUrl) throw new Error('the scratch database exists only inside hooks and tests');
      return databaseUrl;
    },
    freshSchema: () => `${prefix}_${++created}`,
    pool(schema = scratch.freshSchema()) {
      const pool = createPostgresPool(scratch.url(), schema);
      pools.push(pool);
      return { pool, schema };
    },
  };
  return scratch;
}

/**
 * A transaction of the test's own that holds row locks, so that a service's statement on those rows waits:
 * in flight for as long as the test wants, however fast or slow the machine is.
 */
export interface HeldRowLocks {
  /**
   * How many other sessions are waiting, right now, for a lock held here: directly, or queued behind
   * another waiter (PostgreSQL makes the second session after one row wait for the first).
   */
  waiters(): Promise<number>;
  /** Ends the transaction; nothing to do once the server is gone. */
  release(): Promise<void>;
}

/** Opens a transaction on `url` and runs `lockingQuery` (`SELECT … FOR UPDATE`) in it. */
export async function holdRowLocks(url: string, lockingQuery: string, values: unknown[] = []): Promise<HeldRowLocks> {
  const holder = new Client({ connectionString: url });
  // Tests crash the server under this connection: its loss is expected, and must not throw in the worker.
  holder.on('error', () => undefined);
  await holder.connect();
  await holder.query('BEGIN');
  await holder.query(lockingQuery, values);
  return {
    async waiters() {
      // pg_locks and pg_blocking_pids are live (pg_stat_activity would be a snapshot for the transaction).
      const { rows } = await holder.query<{ n: number }>(
        `WITH RECURSIVE
           waiting AS (SELECT DISTINCT pid FROM pg_locks WHERE NOT granted),
           blocked (pid) AS (
             SELECT pid FROM waiting WHERE pg_backend_pid() = ANY (pg_blocking_pids(pid))
             UNION
             SELECT waiting.pid FROM waiting, blocked WHERE blocked.pid = ANY (pg_blocking_pids(waiting.pid))
           )
         SELECT count(*)::int AS n FROM blocked`,
      );
      return rows[0]!.n;
    },
    async release() {
      await holder.end().catch(() => undefined);
    },
  };
}
