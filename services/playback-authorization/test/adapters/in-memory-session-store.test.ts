import { InMemorySessionStore } from '../../src/adapters/in-memory-session-store';
import { at, CONTRACT_NOW, contractSession, sessionStoreContract } from './session-store.contract';

describe('InMemorySessionStore', () => {
  sessionStoreContract(() => new InMemorySessionStore());

  it('drops expired sessions of accounts that never come back, so memory follows live sessions', async () => {
    const store = new InMemorySessionStore(3);
    await store.openWithinLimit(contractSession('gone-1', 'acct-0100'), 1, CONTRACT_NOW);
    await store.openWithinLimit(contractSession('gone-2', 'acct-0101'), 1, CONTRACT_NOW);
    expect(store.size).toBe(2);
    const later = at(61_000);
    await store.openWithinLimit(contractSession('live', 'acct-0102', at(121_000)), 1, later);
    expect(store.size).toBe(1);
  });
});
