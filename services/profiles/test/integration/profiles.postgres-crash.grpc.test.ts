import { status, type ServiceError } from '@grpc/grpc-js';
import { SERVICES } from '@streamplane/contracts';
import { LIVENESS_HEALTH_SERVICE } from '@streamplane/platform';
import {
  describeWithPostgres,
  eventually,
  healthClient,
  holdRowLocks,
  startServiceProcess,
  testClient,
  type LogLine,
  type ServiceProcess,
  type TestClient,
} from '@streamplane/testkit';
import { generateSeedAccounts, MAX_PROFILES_PER_ACCOUNT } from '../../src/domain';

const SEED_ACCOUNTS = 20;
/** What every call refused during the outage says: the store by name, the incident, nothing of the socket. */
const REFUSAL = /^profiles database is unavailable \(incident ([0-9a-f-]{36})\); retry later$/;

interface Profile {
  profile_id: string;
  account_id: string;
  name: string;
}

/**
 * `kill -9` of PostgreSQL under a real profiles process, with a transaction and a plain statement
 * provably in flight (each waits on a row lock the test holds) and a burst of writes around the kill.
 */
describeWithPostgres('profiles when its PostgreSQL is killed (SIGKILL) mid-call', (postgres) => {
  let url: string;
  let profiles: ServiceProcess;
  let client: TestClient;
  let health: TestClient;

  beforeAll(async () => {
    url = await postgres.server.createDatabase();
    profiles = await startServiceProcess('profiles', {
      DATABASE_URL: url,
      PROFILES_SEED_ACCOUNTS: String(SEED_ACCOUNTS),
    });
    client = testClient(SERVICES.profiles, profiles.address);
    health = healthClient(profiles.address);
  });

  afterAll(async () => {
    client?.close();
    health?.close();
    await profiles?.stop();
  });

  const healthOf = async (service = '') => (await health.call<{ status: string }>('Check', { service })).status;
  const rename = (profileId: string, name: string) =>
    client.call<Profile>('UpdateProfile', {
      profile: { profile_id: profileId, name },
      update_mask: { paths: ['name'] },
    });
  const profileCount = async (accountId: string) =>
    (await client.call<{ profiles: Profile[] }>('ListProfiles', { account_id: accountId })).profiles.length;
  const logsWith = (msg: string): LogLine[] => profiles.logs.filter((line) => line.msg === msg);

  it('stays up, refuses with UNAVAILABLE naming its database, and recovers on restart with every acknowledged write', async () => {
    const seeded = generateSeedAccounts(SEED_ACCOUNTS);
    const withRoom = seeded.find((account) => account.profiles.length < MAX_PROFILES_PER_ACCOUNT)!;
    const profileIds = seeded.flatMap((account) => account.profiles.map(({ profile }) => profile.profileId));
    const [toDelete, ...toRename] = profileIds.filter((id) => !id.startsWith(withRoom.accountId));

    // Acknowledged before the kill: these must all be there after it.
    const acknowledged = new Map<string, string>();
    for (const profileId of toRename.slice(0, 5)) {
      acknowledged.set(profileId, (await rename(profileId, `Before ${profileId}`)).name);
    }
    const profilesOfWithRoom = await profileCount(withRoom.accountId);

    // In flight at the kill: CreateProfile's transaction waits for the account row (a checked-out client),
    // DeleteProfile's statement for the profile row (a plain pool query).
    const accountLock = await holdRowLocks(url, 'SELECT 1 FROM profiles.accounts WHERE account_id = $1 FOR UPDATE', [
      withRoom.accountId,
    ]);
    const profileLock = await holdRowLocks(url, 'SELECT 1 FROM profiles.profiles WHERE profile_id = $1 FOR UPDATE', [
      toDelete,
    ]);
    const create = client.fail('CreateProfile', { account_id: withRoom.accountId, name: 'Mid-crash' });
    const remove = client.fail('DeleteProfile', { profile_id: toDelete });
    await eventually(
      async () => (await accountLock.waiters()) === 1 && (await profileLock.waiters()) === 1,
      'CreateProfile and DeleteProfile to wait inside PostgreSQL',
    );
    // And a burst of writes racing the kill: some land before it, some are cut by it.
    const burst = toRename.slice(5, 25).map((profileId) => {
      const name = `Burst ${profileId}`;
      return rename(profileId, name).then(
        () => acknowledged.set(profileId, name),
        (error: ServiceError) => error,
      );
    });
    await postgres.server.crash();

    const [createFailure, removeFailure] = await Promise.all([create, remove]);
    const burstFailures = (await Promise.all(burst)).filter((outcome) => outcome instanceof Error);
    expect(logsWith('uncaught exception; exiting')).toEqual([]);
    expect({ exitCode: profiles.process.exitCode, signal: profiles.process.signalCode }).toEqual({
      exitCode: null,
      signal: null,
    });
    const whileDown = await client.fail('GetProfile', { profile_id: toRename[0]! });
    const refusals = [createFailure, removeFailure, ...burstFailures, whileDown];
    expect(
      refusals.map((refusal) => `${status[refusal.code]}: ${refusal.details.replace(REFUSAL, 'refusal')}`),
    ).toEqual(refusals.map(() => 'UNAVAILABLE: refusal'));
    // One outage, one incident: every refusal points at the one log line that has the driver's own words.
    const incidents = new Set(refusals.map((refusal) => REFUSAL.exec(refusal.details)![1]));
    const outageLogs = logsWith('profiles database unavailable; NOT_SERVING until it answers again');
    expect(outageLogs).toHaveLength(1);
    expect([...incidents]).toEqual([outageLogs[0]!.incident_id]);
    expect(outageLogs[0]).toMatchObject({ level: 'error', store: 'profiles database', error: expect.any(String) });

    expect(await healthOf()).toBe('NOT_SERVING');
    expect(await healthOf(LIVENESS_HEALTH_SERVICE)).toBe('SERVING');

    await postgres.server.restart();
    await eventually(async () => (await healthOf()) === 'SERVING', 'profiles to serve again', 3000);
    expect(logsWith('profiles database available again')).toEqual([
      expect.objectContaining({ incident_id: outageLogs[0]!.incident_id, refused_calls: refusals.length }),
    ]);

    const lost: string[] = [];
    for (const [profileId, name] of acknowledged) {
      const stored = await client.call<Profile>('GetProfile', { profile_id: profileId });
      if (stored.name !== name) lost.push(`${profileId}: ${name} became ${stored.name}`);
    }
    expect(lost).toEqual([]);
    expect(acknowledged.size).toBeGreaterThanOrEqual(5);
    // What was refused did not half-happen: the cut transaction and statement left nothing behind.
    expect(await profileCount(withRoom.accountId)).toBe(profilesOfWithRoom);
    expect((await client.call<Profile>('GetProfile', { profile_id: toDelete })).profile_id).toBe(toDelete);
    // And the same process writes again, on new connections.
    await client.call('CreateProfile', { account_id: withRoom.accountId, name: 'After the crash' });
    expect(await profileCount(withRoom.accountId)).toBe(profilesOfWithRoom + 1);
    await Promise.all([accountLock.release(), profileLock.release()]);
  });
});
