import { NotFoundError, PermissionDeniedError, ResourceExhaustedError } from '@streamplane/platform/errors';
import type { SessionStore } from '../../src/application/ports';
import type { PlaybackSession } from '../../src/domain';

/** An instant far from the real clock: a store must judge liveness by the `now` it is given. */
export const CONTRACT_NOW = new Date('2026-06-01T12:00:00Z');
const MINUTE = 60_000;

export function at(msAfterNow: number): Date {
  return new Date(CONTRACT_NOW.getTime() + msAfterNow);
}

export function contractSession(sessionId: string, accountId = 'acct-0002', expiresAt = at(MINUTE)): PlaybackSession {
  return { sessionId, accountId, profileId: `${accountId}-p1`, titleId: 'tt00001', deviceId: 'tv', expiresAt };
}

/**
 * What every SessionStore must do, whatever keeps the sessions. `newStore` gives each test an empty store.
 * Call it inside a describe block.
 */
export function sessionStoreContract(newStore: () => SessionStore | Promise<SessionStore>): void {
  const NOW = CONTRACT_NOW;
  const session = contractSession;

  it('enforces the stream limit, and a stopped or expired session frees its slot', async () => {
    const store = await newStore();
    await store.openWithinLimit(session('a'), 2, NOW);
    await store.openWithinLimit(session('b'), 2, NOW);
    const refused = store.openWithinLimit(session('c'), 2, NOW);
    await expect(refused).rejects.toThrow(ResourceExhaustedError);
    await expect(refused).rejects.toThrow('account acct-0002 is already streaming on 2 of 2 allowed streams');
    await store.close('a', 'acct-0002', NOW);
    await store.openWithinLimit(session('c'), 2, NOW);
    const later = at(MINUTE + 1_000);
    await store.openWithinLimit(session('d', 'acct-0002', new Date(later.getTime() + MINUTE)), 2, later);
    expect((await store.liveSessions('acct-0002', later)).map((live) => live.sessionId)).toEqual(['d']);
  });

  it('counts each account on its own', async () => {
    const store = await newStore();
    await store.openWithinLimit(session('mine', 'acct-0010'), 1, NOW);
    await store.openWithinLimit(session('theirs', 'acct-0011'), 1, NOW);
    await expect(store.openWithinLimit(session('mine-2', 'acct-0010'), 1, NOW)).rejects.toThrow(ResourceExhaustedError);
  });

  it('lets only one of many racing requests take the last slot', async () => {
    const store = await newStore();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => store.openWithinLimit(session(`s${i}`, 'acct-0003'), 1, NOW)),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(await store.liveSessions('acct-0003', NOW)).toHaveLength(1);
  });

  it('keeps every field of a session, and lists only live sessions of the account', async () => {
    const store = await newStore();
    const kept = { ...session('kept', 'acct-0004'), profileId: 'acct-0004-p3', titleId: 'tt00042', deviceId: 'phone' };
    await store.openWithinLimit(kept, 4, NOW);
    const short = session('short', 'acct-0004', at(MINUTE / 2));
    await store.openWithinLimit(short, 4, NOW);
    await store.openWithinLimit(session('elsewhere', 'acct-0005'), 4, NOW);
    const live = await store.liveSessions('acct-0004', NOW);
    expect(live.sort((a, b) => a.sessionId.localeCompare(b.sessionId))).toEqual([kept, short]);
    expect(await store.liveSessions('acct-0004', short.expiresAt)).toEqual([kept]);
    expect(await store.liveSessions('acct-0099', NOW)).toEqual([]);
  });

  it('extends and stops only live sessions of the same account', async () => {
    const store = await newStore();
    await store.openWithinLimit(session('a'), 2, NOW);
    const extended = await store.extend('a', 'acct-0002', at(2 * MINUTE), NOW);
    expect(extended).toEqual(session('a', 'acct-0002', at(2 * MINUTE)));
    await expect(store.extend('a', 'acct-0001', at(2 * MINUTE), NOW)).rejects.toThrow(PermissionDeniedError);
    await expect(store.close('a', 'acct-0001', NOW)).rejects.toThrow(PermissionDeniedError);
    await expect(store.close('missing', 'acct-0002', NOW)).rejects.toThrow(NotFoundError);
    await expect(store.extend('missing', 'acct-0002', at(MINUTE), NOW)).rejects.toThrow(NotFoundError);
    await store.close('a', 'acct-0002', NOW);
    await expect(store.close('a', 'acct-0002', NOW)).rejects.toThrow(NotFoundError);
    await expect(store.extend('a', 'acct-0002', at(MINUTE), NOW)).rejects.toThrow(NotFoundError);
  });

  it('an extended session outlives its first expiry; an expired one can be neither extended nor stopped', async () => {
    const store = await newStore();
    await store.openWithinLimit(session('beating'), 1, NOW);
    await store.extend('beating', 'acct-0002', at(3 * MINUTE), at(30_000));
    const afterFirstExpiry = at(2 * MINUTE);
    expect((await store.liveSessions('acct-0002', afterFirstExpiry)).map((live) => live.sessionId)).toEqual([
      'beating',
    ]);
    await expect(
      store.openWithinLimit(session('second', 'acct-0002', at(4 * MINUTE)), 1, afterFirstExpiry),
    ).rejects.toThrow(ResourceExhaustedError);

    const afterLastExpiry = at(3 * MINUTE);
    await expect(store.extend('beating', 'acct-0002', at(4 * MINUTE), afterLastExpiry)).rejects.toThrow(NotFoundError);
    await expect(store.close('beating', 'acct-0002', afterLastExpiry)).rejects.toThrow(NotFoundError);
    await store.openWithinLimit(session('next', 'acct-0002', at(4 * MINUTE)), 1, afterLastExpiry);
  });
}
