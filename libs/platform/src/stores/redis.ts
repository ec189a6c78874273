import { createHash } from 'node:crypto';
import Redis, { type RedisOptions } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../logging/logger';
import type { Readiness } from '../server/readiness';
import { StoreGuard } from './store-guard';

/** A REDIS_URL variable: redis:// or rediss:// (TLS), optionally with credentials and a db number. */
export const redisUrl = () => {
  const error = 'expected a redis:// or rediss:// URL such as redis://redis:6379/0';
  // The regex also refuses "redis:6379", which is a valid URL but most likely a host:port missing its scheme.
  return z.url({ protocol: /^rediss?$/, error }).regex(/^rediss?:\/\/[^/]/, error);
};

const RECONNECT_FIRST_DELAY_MS = 50;
const RECONNECT_MAX_DELAY_MS = 1_000;

const CLIENT_DEFAULTS: RedisOptions = {
  // While Redis is unreachable a call fails at once (and becomes UNAVAILABLE) instead of waiting in a queue
  // until the caller's gRPC deadline.
  enableOfflineQueue: false,
  // Nothing is replayed after a reconnect: a script may already have run when its connection dropped.
  maxRetriesPerRequest: 0,
  connectTimeout: 2_000,
  // A Redis that accepts connections but does not answer (paused, swapping) is as unavailable as a dead one.
  commandTimeout: 2_000,
  // Reconnects forever, with capped backoff: the service recovers by itself whenever Redis comes back.
  retryStrategy: (attempt) => Math.min(RECONNECT_FIRST_DELAY_MS * 2 ** (attempt - 1), RECONNECT_MAX_DELAY_MS),
};

export function createRedisClient(url: string, overrides: RedisOptions = {}): Redis {
  return new Redis(url, { ...CLIENT_DEFAULTS, ...overrides });
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/** What ioredis says, with the options above, when it has no usable connection. */
const CONNECTION_ERROR_MESSAGES = [
  "Stream isn't writeable",
  'Connection is closed',
  'Reached the max retries per request limit',
  'Command timed out',
];
/** Replies of a Redis that is up but cannot serve yet (loading its data set, a replica mid-failover). */
const UNSERVING_REPLY_PREFIXES = ['LOADING ', 'MASTERDOWN ', 'READONLY '];

/** True when `error` means Redis could not be reached or cannot serve, rather than a script or data error. */
export function isRedisConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (code && CONNECTION_ERROR_CODES.has(code)) return true;
  const { message } = error;
  return (
    CONNECTION_ERROR_MESSAGES.some((known) => message.startsWith(known)) ||
    UNSERVING_REPLY_PREFIXES.some((prefix) => message.startsWith(prefix))
  );
}

/** A Redis client whose connection state drives the service's readiness (see StoreGuard). */
export interface GuardedRedis {
  readonly client: Redis;
  /** Run every store operation through `guard.run`: a lost connection then surfaces as UNAVAILABLE. */
  readonly guard: StoreGuard;
  /** Stops probing and closes the connection. */
  close(): Promise<void>;
}

export interface GuardedRedisOptions {
  readiness: Readiness;
  logger: Logger;
  /** Name of the dependency in readiness and errors. */
  name?: string;
  probeIntervalMs?: number;
}

/**
 * Connects to Redis and keeps the service's readiness in step with the connection: a connection lost
 * between calls turns the service NOT_SERVING at once, not at the next call. Resolves after the first
 * attempt whatever its outcome: a service whose Redis is down at start still starts, NOT_SERVING, and
 * turns SERVING once Redis answers.
 */
export async function connectGuardedRedis(url: string, options: GuardedRedisOptions): Promise<GuardedRedis> {
  const name = options.name ?? 'redis';
  const client = createRedisClient(url, { lazyConnect: true });
  const guard = new StoreGuard({
    name,
    readiness: options.readiness,
    logger: options.logger,
    ping: async () => {
      await client.ping();
    },
    isConnectionError: isRedisConnectionError,
    probeIntervalMs: options.probeIntervalMs,
  });
  let closing = false;
  const lost = (error: unknown) => {
    if (!closing) guard.markDown(error);
  };
  // A listener also keeps ioredis from printing every failed reconnect as an unhandled error event.
  client.on('error', lost);
  client.on('close', () => lost(new Error(`connection to ${name} closed`)));
  await client.connect().catch(lost);
  return {
    client,
    guard,
    async close() {
      closing = true;
      guard.close();
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/**
 * A Lua script run by its SHA, sent in full only when the server does not have it cached (first use, or
 * after a Redis restart emptied the script cache).
 */
export class RedisScript {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(client: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}
