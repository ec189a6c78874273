import { status } from '@grpc/grpc-js';
import { SERVICES } from '@streamplane/contracts';
import {
  testClient,
  type TestClient,
  describeWithPostgres,
  startServiceProcess,
  type ServiceProcess,
} from '@streamplane/testkit';
import { generateSeedAccounts } from '../../src/domain';

const SEED_ACCOUNTS = 20;

/** A real profiles process on a real PostgreSQL server (catalog is not needed for these calls). */
describeWithPostgres('profiles on PostgreSQL over gRPC', (postgres) => {
  let url: string;
  let profiles: ServiceProcess;
  let client: TestClient;

  async function start(): Promise<void> {
    profiles = await startServiceProcess('profiles', {
      DATABASE_URL: url,
      PROFILES_SEED_ACCOUNTS: String(SEED_ACCOUNTS),
    });
    client = testClient(SERVICES.profiles, profiles.address);
  }

  async function stop(): Promise<void> {
    client?.close();
    await profiles?.stop();
  }

  beforeAll(async () => {
    url = await postgres.server.createDatabase();
    await start();
  });

  afterAll(stop);

  const profileIds = async (accountId: string) =>
    (
      await client.call<{ profiles: Array<{ profile_id: string }> }>('ListProfiles', { account_id: accountId })
    ).profiles.map((profile) => profile.profile_id);

  it('lets exactly one of two concurrent CreateProfile calls take the last slot of an account at 4', async () => {
    const account = generateSeedAccounts(SEED_ACCOUNTS).find((seeded) => seeded.profiles.length === 4)!;
    const results = await Promise.allSettled(
      ['Robin', 'Sasha'].map((name) => client.call('CreateProfile', { account_id: account.accountId, name })),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((result): result is PromiseRejectedResult => result.status === 'rejected')!;
    expect(lost.reason.code).toBe(status.FAILED_PRECONDITION);
    expect(await profileIds(account.accountId)).toHaveLength(5);
  });

  it('keeps profiles across a restart and seeds only the first time', async () => {
    const created = await client.call<{ profile_id: string }>('CreateProfile', {
      account_id: 'acct-0003',
      name: 'Vik',
    });
    const before = await profileIds('acct-0003');
    expect(before).toContain(created.profile_id);

    await stop();
    await start();
    expect(profiles.logs).toContainEqual(expect.objectContaining({ msg: 'seed', inserted: false }));
    expect(await profileIds('acct-0003')).toEqual(before);
    expect((await client.fail('CreateProfile', { account_id: 'acct-0003', name: 'VIK' })).code).toBe(
      status.ALREADY_EXISTS,
    );
  });
});
