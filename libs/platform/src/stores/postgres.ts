import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, type PoolClient, type QueryConfig } from 'pg';
import { z } from 'zod';
import { UnavailableError } from '../errors/domain-errors';
import type { Logger } from '../logging/logger';
import type { Readiness } from '../server/readiness';
import { StoreGuard } from './store-guard';

/**
 * What every PostgreSQL-backed store shares: the pool, the test for "the database cannot be reached", a
 * versioned migration runner, transactions, and {@link openPostgresStore}, which puts them together with
 * the StoreGuard so a service stays up (NOT_SERVING) while its database is down and recovers by itself.
 * Services keep only their SQL and their store class.
 *
 * Each service owns one schema (billing, profiles) in the database DATABASE_URL names, so services can
 * share one server without sharing tables; the pool sets the schema as the search_path, so a store's SQL
 * names its tables unqualified.
 */

/** The DATABASE_URL variable. Services declare it optional: unset means their in-memory store. */
export const postgresUrl = () =>
  z
    .string()
    .trim()
    .refine(isPostgresUrl, 'expected a postgres:// or postgresql:// URL, e.g. postgres://user:password@host:5432/db');

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'postgres:' || url.protocol === 'postgresql:';
  } catch {
    return false;
  }
}

/** A bound on every statement, so a stuck query becomes an error instead of a hung call. */
const STATEMENT_TIMEOUT_MS = 10_000;
/**
 * Client-side bound, a little above the server's: it is what notices a server that vanished without
 * closing the socket (a network partition), where the server-side timeout can never fire.
 */
const QUERY_TIMEOUT_MS = STATEMENT_TIMEOUT_MS + 5_000;
/** Migrations may rebuild tables or wait for another replica's migration: they get far longer. */
const MIGRATION_TIMEOUT_MS = 10 * 60_000;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** A pool whose connections use `schema` and fail fast rather than hang when the server is unreachable. */
export function createPostgresPool(url: string, schema: string): Pool {
  requireIdentifier(schema);
  const pool = new Pool({
    connectionString: url,
    max: 10,
    application_name: `streamplane-${schema}`,
    options: `-c search_path=${schema}`,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    // A transaction left open by a bug must not hold its row locks forever.
    idle_in_transaction_session_timeout: 60_000,
    keepAlive: true,
  });
  // An idle connection that the server drops emits 'error' on the pool; without a listener that would
  // crash the process. The pool has already discarded the connection; the next query opens a new one.
  pool.on('error', () => undefined);
  listenWhileCheckedOut(pool);
  return pool;
}

/**
 * A connection that fails while a client is checked out (mid-transaction, between two statements) emits
 * 'error' on that client, and pg-pool listens only while the client is idle in the pool: without a
 * listener of ours that is an uncaught exception, and the process exits. The failure itself is not lost:
 * the statement in flight fails with it, or the next one fails with "not queryable", and the client is
 * destroyed when released (see withTransaction).
 */
function listenWhileCheckedOut(pool: Pool): void {
  pool.on('acquire', (client) => client.on('error', failureSurfacesInItsStatement));
  pool.on('release', (_error, client) => client.removeListener('error', failureSurfacesInItsStatement));
}

function failureSurfacesInItsStatement(): void {}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown: the server is stopping
  '57P02', // crash_shutdown: another backend crashed and the server is restarting
  '57P03', // cannot_connect_now: the server is starting or in recovery
]);

/** What pg says, in words only, when a connection dies or never comes. */
const CONNECTION_ERROR_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|connection timeout/i;

/**
 * True when `error` means the server could not be reached or dropped the connection: network errors, the
 * SQLSTATE class 08 (connection exception), a server shutting down or starting, and pg's own timeouts.
 * Constraint violations, syntax errors and the like are not: they are bugs or answers, never UNAVAILABLE.
 */
export function isPostgresConnectionError(error: unknown): boolean {
  // Duck-typed rather than `instanceof Error`: errors from Node's own modules may come from another realm.
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, errors, cause } = error as {
    code?: unknown;
    message?: unknown;
    errors?: unknown;
    cause?: unknown;
  };
  if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || code.startsWith('08'))) return true;
  if (typeof message === 'string' && CONNECTION_ERROR_MESSAGES.test(message)) return true;
  // Node reports a refused connection to every address of a host as one AggregateError.
  if (Array.isArray(errors) && errors.some(isPostgresConnectionError)) return true;
  return cause !== undefined && isPostgresConnectionError(cause);
}

/**
 * True when the server answered that a statement ran out of time (57014 query_canceled: our
 * statement_timeout) or could not get a lock in time (55P03 lock_not_available): the database is busy,
 * not gone.
 */
export function isPostgresOverloadError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === '57014' || code === '55P03';
}

/** SQLSTATEs after which the whole transaction may simply run again. */
const RETRYABLE_TRANSACTION_CODES = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected
const TRANSACTION_ATTEMPTS = 3;

export interface TransactionOptions {
  isolation?: 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';
}

/**
 * Runs `work` in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws (the
 * error propagates unchanged). A serialization failure or deadlock, which PostgreSQL resolves by aborting
 * one of the transactions, runs `work` again, up to three times in all, so `work` must have no effects
 * outside the transaction. A connection that failed is released with its error, so the pool destroys it
 * rather than handing it to the next caller; while the client is checked out its 'error' events are
 * listened to (on any pool, not only createPostgresPool's), so a connection lost mid-transaction fails
 * the transaction instead of the process.
 */
export async function withTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let lost: Error | undefined;
    const noteLoss = (error: Error) => {
      lost ??= error;
    };
    client.on('error', noteLoss);
    let broken: Error | undefined;
    try {
      await client.query(`BEGIN ISOLATION LEVEL ${options.isolation ?? 'READ COMMITTED'}`);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      broken = await rollback(client, error);
      const code = (error as { code?: unknown }).code;
      if (attempt < TRANSACTION_ATTEMPTS && typeof code === 'string' && RETRYABLE_TRANSACTION_CODES.has(code)) {
        continue;
      }
      throw error;
    } finally {
      client.release(broken ?? lost);
      // Only now: release() has given the client back to the pool's own listener.
      client.removeListener('error', noteLoss);
    }
  }
}

/** Rolls back after `cause`; returns an error when the connection is unusable and must be destroyed. */
async function rollback(client: PoolClient, cause: unknown): Promise<Error | undefined> {
  if (isPostgresConnectionError(cause)) return cause as Error;
  try {
    await client.query('ROLLBACK');
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

export interface Migration {
  /** Positive, strictly increasing along the list; never renumber or edit a released migration. */
  version: number;
  name: string;
  /** One or more statements, run in one transaction with the service's schema as search_path. */
  sql: string;
}

/**
 * Brings `schema` up to the last of `migrations` and returns the versions it applied (none when the schema
 * was current). Each migration runs in its own transaction together with its row in
 * `<schema>.schema_migrations`, so a migration is applied completely or not at all. Every transaction
 * first takes a transaction-scoped advisory lock on the schema: replicas starting together queue on it,
 * and each finds the versions the first one applied already recorded.
 */
export async function migrate(pool: Pool, schema: string, migrations: readonly Migration[]): Promise<number[]> {
  requireIdentifier(schema);
  migrations.forEach((migration, index) => {
    if (!Number.isSafeInteger(migration.version) || migration.version < 1) {
      throw new RangeError(`migration "${migration.name}": version must be a positive integer`);
    }
    if (index > 0 && migration.version <= migrations[index - 1]!.version) {
      throw new RangeError(`migrations must be in increasing version order; ${migration.version} is out of place`);
    }
  });

  const underLock = <T>(work: (client: PoolClient) => Promise<T>): Promise<T> =>
    withTransaction(pool, async (client) => {
      await client.query(`SET LOCAL statement_timeout = ${MIGRATION_TIMEOUT_MS}`);
      await client.query(slowQuery('SELECT pg_advisory_xact_lock(hashtext($1))', [`streamplane migrations ${schema}`]));
      await client.query(`SET LOCAL search_path TO ${schema}`);
      return work(client);
    });

  await underLock(async (client) => {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
  });

  const applied: number[] = [];
  for (const migration of migrations) {
    const ran = await underLock(async (client) => {
      const done = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (done.rowCount !== 0) return false;
      await client.query(slowQuery(migration.sql));
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return applied;
}

/** A query allowed to run as long as a migration may; pg honours query_timeout per query, its types omit it. */
function slowQuery(text: string, values?: unknown[]): QueryConfig {
  return { text, values, query_timeout: MIGRATION_TIMEOUT_MS } as QueryConfig;
}

function requireIdentifier(schema: string): void {
  // The schema is spliced into SQL (identifiers cannot be bound parameters), so only plain names pass.
  if (!IDENTIFIER.test(schema)) throw new RangeError(`schema must be a lower-case SQL identifier, got "${schema}"`);
}

export interface OpenPostgresStoreOptions<Store extends object> {
  url: string;
  schema: string;
  migrations: readonly Migration[];
  readiness: Readiness;
  logger: Logger;
  /** Builds the store on the pool; called once. */
  createStore: (pool: Pool) => Store;
  /** Runs once the schema is migrated, before the store serves: seeds an empty database, say. */
  prepare?: (store: Store) => Promise<void>;
  /** Delay before the second attempt to migrate; it doubles up to `maxRetryMs`. Defaults 500 ms, 30 s. */
  firstRetryMs?: number;
  maxRetryMs?: number;
  /** Time between pings while the database is down (StoreGuard). */
  probeIntervalMs?: number;
}

/** What callers, health and logs call a service's database: "profiles database". */
function postgresStoreName(schema: string): string {
  return `${schema} database`;
}

/** A store a service module opened, and how to release it at shutdown (in memory: nothing to release). */
export interface OpenStore<Store extends object> {
  readonly store: Store;
  close(): Promise<void>;
}

/**
 * A service's store on PostgreSQL, with its lifecycle: every method of `store` runs through a StoreGuard
 * (connection lost → UnavailableError, health NOT_SERVING, back to SERVING by itself once the database
 * answers), and `close` ends the pool.
 */
export interface PostgresStore<Store extends object> extends OpenStore<Store> {
  /** Settles once the schema is migrated and `prepare` has run; tests wait for it. */
  readonly ready: Promise<void>;
}

/**
 * Opens the store and migrates it. The first attempt is awaited, so a service whose database is up starts
 * SERVING with its schema current. If the database cannot be reached (or migrating fails), the service
 * still starts, NOT_SERVING, its store refusing calls with UNAVAILABLE, and keeps retrying in the
 * background with a growing delay, logging a failure once and again whenever it changes: Kubernetes keeps the pod out of rotation rather
 * than crash-looping it, and it turns SERVING on its own once the database is there.
 */
export async function openPostgresStore<Store extends object>(
  options: OpenPostgresStoreOptions<Store>,
): Promise<PostgresStore<Store>> {
  const { schema, readiness, logger } = options;
  const name = postgresStoreName(schema);
  // Down until migrations and `prepare` have run.
  const schemaDependency = `${name} schema`;
  const pool = createPostgresPool(options.url, schema);
  const guard = new StoreGuard({
    name,
    readiness,
    logger,
    ping: async () => {
      await pool.query('SELECT 1');
    },
    isConnectionError: isPostgresConnectionError,
    isOverloadError: isPostgresOverloadError,
    probeIntervalMs: options.probeIntervalMs,
  });
  // A pooled connection the server dropped says the database is gone before any call fails: go
  // NOT_SERVING now, and let the guard's probe bring it back.
  pool.on('error', (error) => {
    if (isPostgresConnectionError(error)) guard.markDown(error);
  });
  const store = options.createStore(pool);
  let prepared = false;
  const stop = new AbortController();

  const prepare = async (): Promise<void> => {
    const applied = await migrate(pool, schema, options.migrations);
    await options.prepare?.(store);
    prepared = true;
    readiness.report(schemaDependency, true);
    logger.info('postgres store ready', { schema, migrations_applied: applied });
  };
  const retryInBackground = async (firstError: unknown): Promise<void> => {
    let error = firstError;
    let reported: string | undefined;
    for (let attempt = 1; !stop.signal.aborted; attempt++) {
      const retryInMs = Math.min(options.maxRetryMs ?? 30_000, (options.firstRetryMs ?? 500) * 2 ** (attempt - 1));
      const message = (error as Error)?.message ?? String(error);
      // An error once, not once per attempt; a different one (the database is up, a migration fails) again.
      const level = message === reported ? 'debug' : 'error';
      reported = message;
      logger[level]('postgres store not ready; serving NOT_SERVING and retrying', {
        schema,
        attempt,
        retry_in_ms: retryInMs,
        error: message,
      });
      await sleep(retryInMs, undefined, { signal: stop.signal }).catch(() => undefined);
      if (stop.signal.aborted) return;
      try {
        return await prepare();
      } catch (next) {
        error = next;
      }
    }
  };

  readiness.report(schemaDependency, false, 'not migrated yet');
  let ready: Promise<void>;
  try {
    await prepare();
    ready = Promise.resolve();
  } catch (error) {
    ready = retryInBackground(error);
  }

  const guarded = guardMethods(store, (call) =>
    guard.run(async () => {
      if (!prepared) throw new UnavailableError(`${name} is not ready yet; retry later`);
      return call();
    }),
  );
  return {
    store: guarded,
    ready,
    async close() {
      stop.abort();
      guard.close();
      await ready;
      await pool.end();
      logger.info('postgres store closed', { schema });
    },
  };
}

/** `target` with every method call passed through `run`. */
function guardMethods<Store extends object>(
  target: Store,
  run: (call: () => Promise<unknown>) => Promise<unknown>,
): Store {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => run(() => Promise.resolve(value.apply(object, args)));
    },
  });
}
