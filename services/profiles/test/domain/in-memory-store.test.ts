import { DEFAULT_HISTORY_CAP, InMemoryProfileStore, MAX_PROFILES_PER_ACCOUNT } from '../../src/domain';
import { draft, entry } from './helpers';
import { describeProfileStoreContract } from './profile-store.contract';

describeProfileStoreContract('InMemoryProfileStore', async () => new InMemoryProfileStore());

describe('InMemoryProfileStore history cap', () => {
  const limits = { maxPerAccount: MAX_PROFILES_PER_ACCOUNT };
  const T0 = Date.UTC(2026, 2, 1);

  async function storeWithProfile(historyCap?: number): Promise<InMemoryProfileStore> {
    const store = new InMemoryProfileStore(historyCap === undefined ? {} : { historyCap });
    await store.addAccount('acct-a');
    await store.createProfile(draft('acct-a', 'A'), limits);
    return store;
  }

  it('keeps at most 1000 entries per profile by default, dropping the least recently recorded', async () => {
    expect(DEFAULT_HISTORY_CAP).toBe(1000);
    const store = await storeWithProfile();
    for (let i = 1; i <= 1001; i++) await store.recordProgress('acct-a-p1', entry(`t${i}`, T0 + i));
    const all = await store.history('acct-a-p1', 0, 5000);
    expect(all).toHaveLength(1000);
    expect(all[0]!.titleId).toBe('t1001');
    expect(all[999]!.titleId).toBe('t2');
  });

  it('drops by recency of recording: a title recorded again is safe from the next eviction', async () => {
    const store = await storeWithProfile(3);
    for (const title of ['a', 'b', 'c']) await store.recordProgress('acct-a-p1', entry(title, T0));
    await store.recordProgress('acct-a-p1', entry('a', T0)); // a moves to the top; b is now the oldest
    await store.recordProgress('acct-a-p1', entry('d', T0));
    expect((await store.history('acct-a-p1', 0, 10)).map((e) => e.titleId)).toEqual(['d', 'a', 'c']);
    // Re-recording a title already there never evicts anything.
    await store.recordProgress('acct-a-p1', entry('c', T0));
    expect((await store.history('acct-a-p1', 0, 10)).map((e) => e.titleId)).toEqual(['c', 'd', 'a']);
  });

  it('rejects a cap that is not a positive integer', () => {
    expect(() => new InMemoryProfileStore({ historyCap: 0 })).toThrow(RangeError);
    expect(() => new InMemoryProfileStore({ historyCap: 1.5 })).toThrow(RangeError);
  });

  it('rejects a negative offset or limit as a programming error', async () => {
    const store = await storeWithProfile();
    await expect(store.history('acct-a-p1', -1, 10)).rejects.toThrow(RangeError);
    await expect(store.history('acct-a-p1', 0, -1)).rejects.toThrow(RangeError);
  });
});
