import type Redis from 'ioredis';
import { type StoreGuard } from '@streamplane/platform';
import { RedisScript } from '@streamplane/platform/redis';
import type { SessionStore } from '../application/ports';
import { sessionErrors, type PlaybackSession } from '../domain';

/*
 * Key layout (every key under the store's prefix, "streamplane:" by default):
 *   session:<session id>               hash {accountId, profileId, titleId, deviceId, expiresAt (epoch ms)}
 *   account:<account id>:sessions      sorted set: session id scored by its expiresAt
 *
 * Liveness follows the callers' clock (`now` and `expiresAt` come from the replica handling the call), so
 * replicas must keep their clocks in sync: a replica δ ahead ends sessions δ early as others see them.
 * Key TTLs are the session's remaining lifetime, relative to Redis's own clock, so whatever the callers'
 * clocks say, every key disappears by itself once its sessions have ended: nothing leaks.
 *
 * A session's hash and its account's set live in different hash slots: this needs a single Redis (with
 * Sentinel or a managed failover), not Redis Cluster.
 */

/** Gives `key` at least `lifetimeMs` more to live; never shortens it (another session may last longer). */
const OUTLIVE = `
local function outlive(key, lifetimeMs)
  if redis.call('PTTL', key) < tonumber(lifetimeMs) then redis.call('PEXPIRE', key, lifetimeMs) end
end
`;

/** 'missing' (no such session, or ended), 'foreign' (another account's) or nil (the caller's live one). */
const REFUSAL = `
local function refusal(sessionKey, accountId, now)
  local owner, expiresAt = unpack(redis.call('HMGET', sessionKey, 'accountId', 'expiresAt'))
  if not owner or tonumber(expiresAt) <= tonumber(now) then return 'missing' end
  if owner ~= accountId then return 'foreign' end
  return nil
end
`;

/**
 * The stream-limit check and the insert in one step: two replicas racing for the last slot cannot both win.
 * KEYS: account set, session hash. ARGV: now, max streams, session id, expiresAt, lifetime ms, account,
 * profile, title, device. Returns {1, live} when opened, {0, live} when the account is at its limit.
 */
const OPEN = new RedisScript(`${OUTLIVE}
local accountKey, sessionKey = KEYS[1], KEYS[2]
local now, maxStreams, sessionId, expiresAt, lifetimeMs = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
redis.call('ZREMRANGEBYSCORE', accountKey, '-inf', now)
local live = redis.call('ZCARD', accountKey)
if live >= maxStreams then return {0, live} end
redis.call('HSET', sessionKey, 'accountId', ARGV[6], 'profileId', ARGV[7], 'titleId', ARGV[8],
  'deviceId', ARGV[9], 'expiresAt', expiresAt)
redis.call('PEXPIRE', sessionKey, lifetimeMs)
redis.call('ZADD', accountKey, expiresAt, sessionId)
outlive(accountKey, lifetimeMs)
return {1, live + 1}
`);

/**
 * KEYS: session hash, caller's account set. ARGV: caller's account, now, session id, new expiresAt,
 * lifetime ms. Returns {refusal} or {'extended', hash fields and values...}.
 */
const EXTEND = new RedisScript(`${OUTLIVE}${REFUSAL}
local sessionKey, accountKey = KEYS[1], KEYS[2]
local refused = refusal(sessionKey, ARGV[1], ARGV[2])
if refused then return {refused} end
local sessionId, expiresAt, lifetimeMs = ARGV[3], ARGV[4], ARGV[5]
redis.call('HSET', sessionKey, 'expiresAt', expiresAt)
redis.call('PEXPIRE', sessionKey, lifetimeMs)
redis.call('ZADD', accountKey, expiresAt, sessionId)
outlive(accountKey, lifetimeMs)
return {'extended', unpack(redis.call('HGETALL', sessionKey))}
`);

/** KEYS: session hash, caller's account set. ARGV: caller's account, now, session id. Returns {refusal} or {'closed'}. */
const CLOSE = new RedisScript(`${REFUSAL}
local sessionKey, accountKey = KEYS[1], KEYS[2]
local refused = refusal(sessionKey, ARGV[1], ARGV[2])
if refused then return {refused} end
redis.call('DEL', sessionKey)
redis.call('ZREM', accountKey, ARGV[3])
return {'closed'}
`);

export interface RedisSessionStoreOptions {
  /** Prefix of every key, so several stores (or test suites) can share one Redis. */
  keyPrefix?: string;
  /** Turns a lost connection into UNAVAILABLE and NOT_SERVING; without one, ioredis errors pass through. */
  guard?: StoreGuard;
}

/** Sessions shared by every replica of the service, in Redis. */
export class RedisSessionStore implements SessionStore {
  private readonly keyPrefix: string;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisSessionStoreOptions = {},
  ) {
    this.keyPrefix = options.keyPrefix ?? 'streamplane:';
  }

  sessionKey(sessionId: string): string {
    return `${this.keyPrefix}session:${sessionId}`;
  }

  accountKey(accountId: string): string {
    return `${this.keyPrefix}account:${accountId}:sessions`;
  }

  openWithinLimit(session: PlaybackSession, maxStreams: number, now: Date): Promise<void> {
    return this.guarded(async () => {
      const expiresAt = session.expiresAt.getTime();
      const [opened, live] = (await OPEN.run(
        this.redis,
        [this.accountKey(session.accountId), this.sessionKey(session.sessionId)],
        [
          now.getTime(),
          maxStreams,
          session.sessionId,
          expiresAt,
          lifetimeMs(session.expiresAt, now),
          session.accountId,
          session.profileId,
          session.titleId,
          session.deviceId,
        ],
      )) as [number, number];
      if (!opened) throw sessionErrors.streamLimitReached(session.accountId, live, maxStreams);
    });
  }

  extend(sessionId: string, accountId: string, expiresAt: Date, now: Date): Promise<PlaybackSession> {
    return this.guarded(async () => {
      const [outcome, ...fields] = (await EXTEND.run(
        this.redis,
        [this.sessionKey(sessionId), this.accountKey(accountId)],
        [accountId, now.getTime(), sessionId, expiresAt.getTime(), lifetimeMs(expiresAt, now)],
      )) as string[];
      refuseUnless('extended', outcome, sessionId);
      return fromHash(sessionId, pairsToRecord(fields));
    });
  }

  close(sessionId: string, accountId: string, now: Date): Promise<void> {
    return this.guarded(async () => {
      const [outcome] = (await CLOSE.run(
        this.redis,
        [this.sessionKey(sessionId), this.accountKey(accountId)],
        [accountId, now.getTime(), sessionId],
      )) as string[];
      refuseUnless('closed', outcome, sessionId);
    });
  }

  liveSessions(accountId: string, now: Date): Promise<PlaybackSession[]> {
    return this.guarded(async () => {
      const ids = await this.redis.zrangebyscore(this.accountKey(accountId), `(${now.getTime()}`, '+inf');
      const hashes = await Promise.all(ids.map((id) => this.redis.hgetall(this.sessionKey(id))));
      // A session closed between the two reads has an empty hash, hence no expiry: it is left out.
      return ids.map((id, index) => fromHash(id, hashes[index]!)).filter((session) => session.expiresAt > now);
    });
  }

  private guarded<T>(operation: () => Promise<T>): Promise<T> {
    return this.options.guard ? this.options.guard.run(operation) : operation();
  }
}

/** Redis rejects a zero or negative TTL; a session that is already over gets the shortest one. */
function lifetimeMs(expiresAt: Date, now: Date): number {
  return Math.max(1, expiresAt.getTime() - now.getTime());
}

function refuseUnless(expected: string, outcome: string | undefined, sessionId: string): void {
  if (outcome === expected) return;
  if (outcome === 'foreign') throw sessionErrors.ofAnotherAccount(sessionId);
  if (outcome === 'missing') throw sessionErrors.notFound(sessionId);
  throw new Error(`unexpected session script outcome ${JSON.stringify(outcome)}`);
}

function pairsToRecord(flat: string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let index = 0; index < flat.length; index += 2) record[flat[index]!] = flat[index + 1]!;
  return record;
}

function fromHash(sessionId: string, hash: Record<string, string>): PlaybackSession {
  return {
    sessionId,
    accountId: hash.accountId ?? '',
    profileId: hash.profileId ?? '',
    titleId: hash.titleId ?? '',
    deviceId: hash.deviceId ?? '',
    expiresAt: new Date(Number(hash.expiresAt ?? 0)),
  };
}
