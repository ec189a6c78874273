import { FailedPreconditionError } from '@streamplane/platform/errors';
import { migrate } from '@streamplane/platform/postgres';
import { describeWithPostgres, scratchSchemas } from '@streamplane/testkit';
import { InMemoryProfileStore } from '../../src/adapters/in-memory-profile-store';
import { PostgresProfileStore, PROFILES_MIGRATIONS } from '../../src/adapters/postgres-profile-store';
import { generateSeedAccounts, MAX_PROFILES_PER_ACCOUNT, seedProfiles } from '../../src/domain';
import type { ProfileStore } from '../../src/domain';
import { draft } from '../domain/helpers';
import { describeProfileStoreContract } from './profile-store.contract';

describeWithPostgres('PostgresProfileStore', (postgres) => {
  const scratch = scratchSchemas(postgres, 'profiles');

  /** A migrated, empty store in a schema of its own, so no test sees another's rows. */
  async function emptyStore(options: { historyCap?: number } = {}, schemaName?: string) {
    const { pool, schema } = scratch.pool(schemaName);
    await migrate(pool, schema, PROFILES_MIGRATIONS);
    return new PostgresProfileStore(pool, options);
  }

  describeProfileStoreContract('PostgresProfileStore', (options) => emptyStore(options));

  it('lets exactly one of two concurrent creates take the last slot of an account at 4 profiles', async () => {
    const store = await emptyStore();
    await store.addAccount('acct-a');
    const limits = { maxPerAccount: MAX_PROFILES_PER_ACCOUNT };
    for (const name of ['A', 'B', 'C', 'D']) await store.createProfile(draft('acct-a', name), limits);
    const results = await Promise.allSettled([
      store.createProfile(draft('acct-a', 'E'), limits),
      store.createProfile(draft('acct-a', 'F'), limits),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = results.find((result): result is PromiseRejectedResult => result.status === 'rejected')!;
    expect(lost.reason).toBeInstanceOf(FailedPreconditionError);
    expect(await store.listProfiles('acct-a')).toHaveLength(5);
  });

  it('seeds in bulk exactly what seedProfiles writes through the interface, once', async () => {
    const count = 120;
    const schema = 'profiles_shared_by_replicas';
    const replicas = await Promise.all([emptyStore({}, schema), emptyStore({}, schema)]);
    const seeded = await Promise.all(replicas.map((store) => store.seedIfEmpty(generateSeedAccounts(count))));
    expect(seeded.sort()).toEqual([false, true]);

    const reference = new InMemoryProfileStore();
    await seedProfiles(reference, count);
    const store = replicas[0]!;
    for (const { accountId } of generateSeedAccounts(count)) {
      const expected = await reference.listProfiles(accountId);
      expect(await store.listProfiles(accountId)).toEqual(expected);
      for (const { profileId } of expected) {
        expect(await store.history(profileId, 0, 10)).toEqual(await reference.history(profileId, 0, 10));
      }
      // Numbering and recording carry on from the seed as they would after seedProfiles.
      const next = draft(accountId, 'Newcomer');
      await expectSameOutcome(store, reference, (s) => s.createProfile(next, { maxPerAccount: 6 }));
    }
    const entry = {
      titleId: 'tt00009',
      positionSeconds: 1,
      runtimeSeconds: 60,
      completed: false,
      watchedAt: new Date(),
    };
    await store.recordProgress('acct-0001-p1', entry);
    expect((await store.history('acct-0001-p1', 0, 1))[0]!.titleId).toBe('tt00009');
  });
});

async function expectSameOutcome<T>(
  store: ProfileStore,
  reference: ProfileStore,
  operation: (store: ProfileStore) => Promise<T>,
): Promise<void> {
  const settle = (promise: Promise<T>) =>
    promise.then(
      (value) => ({ value }),
      (error: Error) => ({ error: `${error.name}: ${error.message}` }),
    );
  expect(await settle(operation(store))).toEqual(await settle(operation(reference)));
}
