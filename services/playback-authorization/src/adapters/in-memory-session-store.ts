import type { SessionStore } from '../application/ports';
import { sessionErrors, type PlaybackSession } from '../domain';

/** Sessions in this process's memory: one replica only (REDIS_URL unset). */
export class InMemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, PlaybackSession>();
  private readonly byAccount = new Map<string, Set<string>>();
  private opensSinceSweep = 0;

  /** `sweepEvery` opens, every expired session is dropped, so accounts that never return do not leak. */
  constructor(private readonly sweepEvery = 1_000) {}

  async openWithinLimit(session: PlaybackSession, maxStreams: number, now: Date): Promise<void> {
    if (++this.opensSinceSweep >= this.sweepEvery) this.sweepExpired(now);
    // No await between the count and the insert: this is the atomic step.
    const live = this.live(session.accountId, now);
    if (live.length >= maxStreams) throw sessionErrors.streamLimitReached(session.accountId, live.length, maxStreams);
    this.sessions.set(session.sessionId, { ...session });
    let ids = this.byAccount.get(session.accountId);
    if (!ids) {
      ids = new Set();
      this.byAccount.set(session.accountId, ids);
    }
    ids.add(session.sessionId);
  }

  async extend(sessionId: string, accountId: string, expiresAt: Date, now: Date): Promise<PlaybackSession> {
    const session = this.owned(sessionId, accountId, now);
    session.expiresAt = expiresAt;
    return { ...session };
  }

  async close(sessionId: string, accountId: string, now: Date): Promise<void> {
    this.owned(sessionId, accountId, now);
    this.remove(sessionId, accountId);
  }

  async liveSessions(accountId: string, now: Date): Promise<PlaybackSession[]> {
    return this.live(accountId, now).map((session) => ({ ...session }));
  }

  /** Number of sessions held in memory, expired ones not yet dropped included. */
  get size(): number {
    return this.sessions.size;
  }

  /** Drops every expired session. */
  sweepExpired(now: Date): void {
    this.opensSinceSweep = 0;
    for (const session of [...this.sessions.values()]) {
      if (session.expiresAt <= now) this.remove(session.sessionId, session.accountId);
    }
  }

  private owned(sessionId: string, accountId: string, now: Date): PlaybackSession {
    const session = this.sessions.get(sessionId);
    if (!session || session.expiresAt <= now) throw sessionErrors.notFound(sessionId);
    if (session.accountId !== accountId) throw sessionErrors.ofAnotherAccount(sessionId);
    return session;
  }

  /** Live sessions of an account; expired ones are dropped on the way, so memory follows live sessions. */
  private live(accountId: string, now: Date): PlaybackSession[] {
    const live: PlaybackSession[] = [];
    for (const id of [...(this.byAccount.get(accountId) ?? [])]) {
      const session = this.sessions.get(id)!;
      if (session.expiresAt > now) live.push(session);
      else this.remove(id, accountId);
    }
    return live;
  }

  private remove(sessionId: string, accountId: string): void {
    this.sessions.delete(sessionId);
    const ids = this.byAccount.get(accountId);
    ids?.delete(sessionId);
    if (ids?.size === 0) this.byAccount.delete(accountId);
  }
}
