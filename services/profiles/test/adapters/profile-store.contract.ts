import {
  AlreadyExistsError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
} from '@streamplane/platform/errors';
import { DEFAULT_HISTORY_CAP, MAX_PROFILES_PER_ACCOUNT } from '../../src/domain';
import type { ProfileStore } from '../../src/domain';
import { draft, entry, expectRejects } from '../domain/helpers';

/**
 * The behaviour every ProfileStore must have. Each implementation's test file calls this with a factory
 * for an empty store (the in-memory store and the PostgreSQL store run the very same suite).
 */
export function describeProfileStoreContract(
  label: string,
  makeStore: (options?: { historyCap?: number }) => Promise<ProfileStore>,
): void {
  const limits = { maxPerAccount: MAX_PROFILES_PER_ACCOUNT };
  const T0 = Date.UTC(2026, 2, 1);

  describe(`ProfileStore contract: ${label}`, () => {
    let store: ProfileStore;

    beforeEach(async () => {
      store = await makeStore();
      await store.addAccount('acct-a');
      await store.addAccount('acct-b');
    });

    const ids = async (accountId: string) => (await store.listProfiles(accountId)).map((p) => p.profileId);

    describe('accounts', () => {
      it('knows the accounts it was given; adding one twice changes nothing', async () => {
        expect(await store.accountExists('acct-a')).toBe(true);
        expect(await store.accountExists('acct-zzz')).toBe(false);
        await store.createProfile(draft('acct-a', 'Anna'), limits);
        await store.addAccount('acct-a');
        expect(await ids('acct-a')).toEqual(['acct-a-p1']);
      });

      it('lists an account without profiles as empty and an unknown one as NotFound', async () => {
        expect(await store.listProfiles('acct-b')).toEqual([]);
        await expectRejects(store.listProfiles('acct-zzz'), NotFoundError, 'account "acct-zzz" not found');
      });
    });

    describe('createProfile', () => {
      it('assigns <account>-p1, -p2, … and returns the stored profile with updateTime = createTime', async () => {
        const createTime = new Date(T0);
        const first = await store.createProfile(
          draft('acct-a', 'Anna', { maturityLevel: 13, language: 'pt-BR', avatar: 'avatar-03', createTime }),
          limits,
        );
        expect(first).toEqual({
          profileId: 'acct-a-p1',
          accountId: 'acct-a',
          name: 'Anna',
          maturityLevel: 13,
          kids: false,
          language: 'pt-BR',
          avatar: 'avatar-03',
          createTime,
          updateTime: createTime,
        });
        expect((await store.createProfile(draft('acct-a', 'Ben'), limits)).profileId).toBe('acct-a-p2');
        expect((await store.createProfile(draft('acct-b', 'Ben'), limits)).profileId).toBe('acct-b-p1');
        expect(await store.getProfile('acct-a-p1')).toEqual(first);
      });

      it('rejects an unknown account with NotFound', async () => {
        await expectRejects(store.createProfile(draft('acct-zzz', 'Anna'), limits), NotFoundError, 'account');
      });

      it('allows 5 profiles and fails the 6th with FailedPrecondition naming the limit', async () => {
        for (const name of ['A', 'B', 'C', 'D', 'E']) await store.createProfile(draft('acct-a', name), limits);
        await expectRejects(
          store.createProfile(draft('acct-a', 'F'), limits),
          FailedPreconditionError,
          'acct-a',
          'limit is 5',
        );
        expect(await ids('acct-a')).toHaveLength(5);
        // The limit is per account.
        await store.createProfile(draft('acct-b', 'F'), limits);
      });

      it('applies the limit it is given', async () => {
        await store.createProfile(draft('acct-a', 'A'), { maxPerAccount: 2 });
        await store.createProfile(draft('acct-a', 'B'), { maxPerAccount: 2 });
        await expectRejects(
          store.createProfile(draft('acct-a', 'C'), { maxPerAccount: 2 }),
          FailedPreconditionError,
          '2',
        );
      });

      it('rejects a name the account already has, case-insensitively, with AlreadyExists', async () => {
        await store.createProfile(draft('acct-a', 'Anna'), limits);
        await expectRejects(store.createProfile(draft('acct-a', 'ANNA'), limits), AlreadyExistsError, '"ANNA"');
        await expectRejects(store.createProfile(draft('acct-a', 'anna'), limits), AlreadyExistsError, 'acct-a');
        await store.createProfile(draft('acct-a', 'Straße'), limits);
        await expectRejects(store.createProfile(draft('acct-a', 'STRASSE'), limits), AlreadyExistsError);
        // Another account may use the same name; a failed create does not consume an id.
        await store.createProfile(draft('acct-b', 'anna'), limits);
        expect((await store.createProfile(draft('acct-a', 'Ben'), limits)).profileId).toBe('acct-a-p3');
      });

      it('rejects a kids draft above maturity 7, as a CHECK constraint would', async () => {
        await expectRejects(
          store.createProfile(draft('acct-a', 'Kids', { kids: true, maturityLevel: 13 }), limits),
          InvalidArgumentError,
          'maturity_level',
        );
      });

      it('never reuses the id of a deleted profile', async () => {
        await store.createProfile(draft('acct-a', 'A'), limits);
        await store.createProfile(draft('acct-a', 'B'), limits);
        await store.deleteProfile('acct-a-p2');
        expect((await store.createProfile(draft('acct-a', 'C'), limits)).profileId).toBe('acct-a-p3');
        await store.deleteProfile('acct-a-p1');
        expect((await store.createProfile(draft('acct-a', 'D'), limits)).profileId).toBe('acct-a-p4');
        expect(await ids('acct-a')).toEqual(['acct-a-p3', 'acct-a-p4']);
      });

      it('lists in creation order, numerically (p10 after p9)', async () => {
        for (let i = 1; i <= 9; i++) {
          await store.createProfile(draft('acct-a', `N${i}`), limits);
          if (i <= 5) await store.deleteProfile(`acct-a-p${i}`);
        }
        await store.createProfile(draft('acct-a', 'N10'), limits);
        expect(await ids('acct-a')).toEqual(['acct-a-p6', 'acct-a-p7', 'acct-a-p8', 'acct-a-p9', 'acct-a-p10']);
      });

      it('lets exactly one of several concurrent creates take the last slot', async () => {
        for (const name of ['A', 'B', 'C', 'D']) await store.createProfile(draft('acct-a', name), limits);
        const results = await Promise.allSettled(
          ['E1', 'E2', 'E3', 'E4', 'E5', 'E6'].map((name) => store.createProfile(draft('acct-a', name), limits)),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(5);
        for (const r of lost) expect(r.reason).toBeInstanceOf(FailedPreconditionError);
        expect(await ids('acct-a')).toEqual(['acct-a-p1', 'acct-a-p2', 'acct-a-p3', 'acct-a-p4', 'acct-a-p5']);
      });

      it('lets exactly one of several concurrent creates with one name win', async () => {
        const results = await Promise.allSettled(
          ['Zoe', 'ZOE', 'zoe'].map((name) => store.createProfile(draft('acct-a', name), limits)),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(AlreadyExistsError);
        expect(await ids('acct-a')).toHaveLength(1);
      });
    });

    describe('getProfile', () => {
      it('is NotFound for an unknown id', async () => {
        await expectRejects(store.getProfile('acct-a-p9'), NotFoundError, 'profile "acct-a-p9" not found');
      });

      it('hands out copies: changing one does not change the store', async () => {
        const created = await store.createProfile(draft('acct-a', 'Anna'), limits);
        created.name = 'Mallory';
        created.createTime.setTime(0);
        const read = await store.getProfile('acct-a-p1');
        read.maturityLevel = 0;
        (await store.listProfiles('acct-a'))[0]!.updateTime.setTime(0);
        expect(await store.getProfile('acct-a-p1')).toMatchObject({ name: 'Anna', maturityLevel: 18 });
        expect((await store.getProfile('acct-a-p1')).createTime.getTime()).toBe(Date.UTC(2026, 0, 1));
        expect((await store.getProfile('acct-a-p1')).updateTime.getTime()).toBe(Date.UTC(2026, 0, 1));
      });
    });

    describe('updateProfile', () => {
      beforeEach(async () => {
        await store.createProfile(draft('acct-a', 'Anna', { createTime: new Date(T0) }), limits);
        await store.createProfile(draft('acct-a', 'Ben', { createTime: new Date(T0) }), limits);
        await store.createProfile(
          draft('acct-a', 'Kids', { kids: true, maturityLevel: 7, createTime: new Date(T0) }),
          limits,
        );
      });

      it('changes the defined fields only and moves updateTime', async () => {
        const at = new Date(T0 + 60_000);
        const updated = await store.updateProfile('acct-a-p1', { language: 'fr', maturityLevel: 16 }, at);
        expect(updated).toMatchObject({ name: 'Anna', language: 'fr', maturityLevel: 16, kids: false, avatar: '' });
        expect(updated.createTime.getTime()).toBe(T0);
        expect(updated.updateTime).toEqual(at);
        expect(await store.getProfile('acct-a-p1')).toEqual(updated);
      });

      it('keeps updateTime when nothing actually changes, and never moves it backwards', async () => {
        const same = await store.updateProfile('acct-a-p1', { name: 'Anna', maturityLevel: 18 }, new Date(T0 + 5000));
        expect(same.updateTime.getTime()).toBe(T0);
        await store.updateProfile('acct-a-p1', { avatar: 'avatar-01' }, new Date(T0 + 10_000));
        const back = await store.updateProfile('acct-a-p1', { avatar: 'avatar-02' }, new Date(T0 - 10_000));
        expect(back.avatar).toBe('avatar-02');
        expect(back.updateTime.getTime()).toBe(T0 + 10_000);
      });

      it("rejects another profile's name, case-insensitively; allows re-casing its own; frees the old name", async () => {
        await expectRejects(
          store.updateProfile('acct-a-p2', { name: 'ANNA' }, new Date(T0)),
          AlreadyExistsError,
          '"ANNA"',
        );
        expect((await store.getProfile('acct-a-p2')).name).toBe('Ben');
        expect((await store.updateProfile('acct-a-p1', { name: 'ANNA' }, new Date(T0))).name).toBe('ANNA');
        await store.updateProfile('acct-a-p1', { name: 'Annie' }, new Date(T0));
        // "Anna" is free again; "ANNA"/"Annie" is now taken.
        expect((await store.updateProfile('acct-a-p2', { name: 'anna' }, new Date(T0))).name).toBe('anna');
        await expectRejects(store.createProfile(draft('acct-a', 'annie'), limits), AlreadyExistsError);
        await expectRejects(store.createProfile(draft('acct-a', 'Anna'), limits), AlreadyExistsError);
        await store.createProfile(draft('acct-a', 'Ben'), limits);
      });

      it('checks the kids rule on the merged row, naming the field that was changed', async () => {
        await expectRejects(
          store.updateProfile('acct-a-p1', { kids: true }, new Date(T0)),
          InvalidArgumentError,
          'kids:',
          '18',
        );
        await expectRejects(
          store.updateProfile('acct-a-p3', { maturityLevel: 13 }, new Date(T0)),
          InvalidArgumentError,
          'maturity_level:',
        );
        expect(await store.getProfile('acct-a-p1')).toMatchObject({ kids: false, maturityLevel: 18 });
        expect(await store.getProfile('acct-a-p3')).toMatchObject({ kids: true, maturityLevel: 7 });
        expect(await store.updateProfile('acct-a-p1', { kids: true, maturityLevel: 0 }, new Date(T0))).toMatchObject({
          kids: true,
          maturityLevel: 0,
        });
        expect(await store.updateProfile('acct-a-p3', { kids: false, maturityLevel: 18 }, new Date(T0))).toMatchObject({
          kids: false,
          maturityLevel: 18,
        });
      });

      it('lets exactly one of two concurrent renames to one name win', async () => {
        const results = await Promise.allSettled([
          store.updateProfile('acct-a-p1', { name: 'Cleo' }, new Date(T0)),
          store.updateProfile('acct-a-p2', { name: 'CLEO' }, new Date(T0)),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const names = (await store.listProfiles('acct-a')).map((p) => p.name.toLowerCase());
        expect(names.filter((n) => n === 'cleo')).toHaveLength(1);
      });

      it('is NotFound for an unknown id', async () => {
        await expectRejects(store.updateProfile('acct-a-p9', { name: 'X' }, new Date(T0)), NotFoundError, 'acct-a-p9');
      });
    });

    describe('deleteProfile', () => {
      it('removes the profile, frees its name and slot, and is NotFound the second time', async () => {
        for (const name of ['A', 'B', 'C', 'D', 'E']) await store.createProfile(draft('acct-a', name), limits);
        await store.deleteProfile('acct-a-p3');
        await expectRejects(store.getProfile('acct-a-p3'), NotFoundError);
        expect(await ids('acct-a')).toEqual(['acct-a-p1', 'acct-a-p2', 'acct-a-p4', 'acct-a-p5']);
        expect((await store.createProfile(draft('acct-a', 'c'), limits)).profileId).toBe('acct-a-p6');
        await expectRejects(store.deleteProfile('acct-a-p3'), NotFoundError, 'profile "acct-a-p3" not found');
      });

      it('deletes the history with the profile', async () => {
        await store.createProfile(draft('acct-a', 'A'), limits);
        await store.recordProgress('acct-a-p1', entry('tt00001', T0));
        await store.deleteProfile('acct-a-p1');
        await expectRejects(store.history('acct-a-p1', 0, 10), NotFoundError, 'acct-a-p1');
        await store.createProfile(draft('acct-a', 'A'), limits);
        expect(await store.history('acct-a-p2', 0, 10)).toEqual([]);
      });
    });

    describe('viewing history', () => {
      beforeEach(async () => {
        await store.createProfile(draft('acct-a', 'A'), limits);
        await store.createProfile(draft('acct-a', 'B'), limits);
      });

      const titles = async (profileId: string, offset = 0, limit = 100) =>
        (await store.history(profileId, offset, limit)).map((e) => e.titleId);

      it('returns the stored entry and lists entries most recent first', async () => {
        const stored = await store.recordProgress('acct-a-p1', entry('tt00001', T0, 120, 7440));
        expect(stored).toEqual(entry('tt00001', T0, 120, 7440));
        await store.recordProgress('acct-a-p1', entry('tt00002', T0 + 1000));
        await store.recordProgress('acct-a-p1', entry('tt00003', T0 + 2000));
        expect(await titles('acct-a-p1')).toEqual(['tt00003', 'tt00002', 'tt00001']);
        expect(await titles('acct-a-p2')).toEqual([]);
      });

      it('keeps one entry per title: recording again replaces it and moves it to the top', async () => {
        await store.recordProgress('acct-a-p1', entry('tt00001', T0, 100));
        await store.recordProgress('acct-a-p1', entry('tt00002', T0 + 1000));
        await store.recordProgress('acct-a-p1', entry('tt00003', T0 + 2000));
        await store.recordProgress('acct-a-p1', entry('tt00001', T0 + 3000, 900));
        const history = await store.history('acct-a-p1', 0, 100);
        expect(history.map((e) => e.titleId)).toEqual(['tt00001', 'tt00003', 'tt00002']);
        expect(history[0]).toEqual(entry('tt00001', T0 + 3000, 900));
      });

      it('orders by recording: ties in watchedAt, and a clock step back, keep the newest recording on top', async () => {
        await store.recordProgress('acct-a-p1', entry('tt00001', T0));
        await store.recordProgress('acct-a-p1', entry('tt00002', T0));
        await store.recordProgress('acct-a-p1', entry('tt00003', T0));
        expect(await titles('acct-a-p1')).toEqual(['tt00003', 'tt00002', 'tt00001']);
        await store.recordProgress('acct-a-p1', entry('tt00001', T0 - 60_000));
        expect(await titles('acct-a-p1')).toEqual(['tt00001', 'tt00003', 'tt00002']);
      });

      it('pages with offset and limit', async () => {
        for (let i = 1; i <= 7; i++) await store.recordProgress('acct-a-p1', entry(`tt0000${i}`, T0 + i));
        expect(await titles('acct-a-p1', 0, 3)).toEqual(['tt00007', 'tt00006', 'tt00005']);
        expect(await titles('acct-a-p1', 3, 3)).toEqual(['tt00004', 'tt00003', 'tt00002']);
        expect(await titles('acct-a-p1', 6, 3)).toEqual(['tt00001']);
        expect(await titles('acct-a-p1', 7, 3)).toEqual([]);
        expect(await titles('acct-a-p1', 100, 3)).toEqual([]);
        expect(await titles('acct-a-p1', 0, 0)).toEqual([]);
      });

      it('keeps histories per profile and hands out copies', async () => {
        await store.recordProgress('acct-a-p1', entry('tt00001', T0));
        await store.recordProgress('acct-a-p2', entry('tt00009', T0));
        const [first] = await store.history('acct-a-p1', 0, 1);
        first!.positionSeconds = 1;
        first!.watchedAt.setTime(0);
        expect(await store.history('acct-a-p1', 0, 10)).toEqual([entry('tt00001', T0)]);
        expect(await titles('acct-a-p2')).toEqual(['tt00009']);
      });

      it('is NotFound for an unknown profile', async () => {
        await expectRejects(store.recordProgress('acct-a-p9', entry('tt00001', T0)), NotFoundError, 'acct-a-p9');
        await expectRejects(store.history('acct-a-p9', 0, 10), NotFoundError, 'acct-a-p9');
      });

      it('rejects a negative offset or limit as a programming error', async () => {
        await expect(store.history('acct-a-p1', -1, 10)).rejects.toThrow(RangeError);
        await expect(store.history('acct-a-p1', 0, -1)).rejects.toThrow(RangeError);
      });
    });

    describe('history cap', () => {
      async function storeWithProfile(historyCap?: number): Promise<ProfileStore> {
        const capped = await makeStore(historyCap === undefined ? {} : { historyCap });
        await capped.addAccount('acct-a');
        await capped.createProfile(draft('acct-a', 'A'), limits);
        return capped;
      }

      it('keeps at most 1000 entries per profile by default, dropping the least recently recorded', async () => {
        expect(DEFAULT_HISTORY_CAP).toBe(1000);
        const capped = await storeWithProfile();
        for (let i = 1; i <= 1001; i++) await capped.recordProgress('acct-a-p1', entry(`t${i}`, T0 + i));
        const all = await capped.history('acct-a-p1', 0, 5000);
        expect(all).toHaveLength(1000);
        expect(all[0]!.titleId).toBe('t1001');
        expect(all[999]!.titleId).toBe('t2');
      });

      it('drops by recency of recording: a title recorded again is safe from the next eviction', async () => {
        const capped = await storeWithProfile(3);
        for (const title of ['a', 'b', 'c']) await capped.recordProgress('acct-a-p1', entry(title, T0));
        await capped.recordProgress('acct-a-p1', entry('a', T0)); // a moves to the top; b is now the oldest
        await capped.recordProgress('acct-a-p1', entry('d', T0));
        expect((await capped.history('acct-a-p1', 0, 10)).map((e) => e.titleId)).toEqual(['d', 'a', 'c']);
        // Re-recording a title already there never evicts anything.
        await capped.recordProgress('acct-a-p1', entry('c', T0));
        expect((await capped.history('acct-a-p1', 0, 10)).map((e) => e.titleId)).toEqual(['c', 'd', 'a']);
      });
    });
  });
}
