import { status } from '@grpc/grpc-js';
import { SERVICES } from '@streamplane/contracts';
import { testClient, type TestClient, startServiceProcess, type ServiceProcess } from '@streamplane/testkit';

interface Profile {
  profile_id: string;
  account_id: string;
  name: string;
  maturity_level: number;
  kids: boolean;
  language: string;
}

interface Entry {
  title_id: string;
  position_seconds: number;
  completed: boolean;
}

/** Real profiles and catalog processes: viewing progress is checked against catalog's runtimes. */
describe('profiles over gRPC', () => {
  let catalog: ServiceProcess;
  let profiles: ServiceProcess;
  let client: TestClient;

  beforeAll(async () => {
    catalog = await startServiceProcess('catalog', { STREAMPLANE_FAULTS: 'enabled' });
    profiles = await startServiceProcess('profiles', { CATALOG_ADDR: catalog.address, STREAMPLANE_FAULTS: 'enabled' });
    client = testClient(SERVICES.profiles, profiles.address);
  });

  afterAll(async () => {
    client?.close();
    await Promise.all([profiles?.stop(), catalog?.stop()]);
  });

  it('serves the seed fixtures: acct-0001 has five profiles, p5 is a kids profile', async () => {
    const { profiles: list } = await client.call<{ profiles: Profile[] }>('ListProfiles', { account_id: 'acct-0001' });
    expect(list.map((profile) => profile.profile_id)).toEqual([1, 2, 3, 4, 5].map((n) => `acct-0001-p${n}`));
    const kids = await client.call<Profile>('GetProfile', { profile_id: 'acct-0001-p5' });
    expect(kids.kids).toBe(true);
    expect(kids.maturity_level).toBeLessThanOrEqual(7);
  });

  it('creates, updates with a field mask, and deletes a profile', async () => {
    const created = await client.call<Profile>('CreateProfile', { account_id: 'acct-0002', name: 'Robin', kids: true });
    expect(created).toMatchObject({
      account_id: 'acct-0002',
      name: 'Robin',
      kids: true,
      maturity_level: 7,
      language: 'en',
    });

    const renamed = await client.call<Profile>('UpdateProfile', {
      profile: { profile_id: created.profile_id, name: 'Robin B', language: 'fr' },
      update_mask: { paths: ['name'] },
    });
    expect(renamed).toMatchObject({ name: 'Robin B', language: 'en' });

    await client.call('DeleteProfile', { profile_id: created.profile_id });
    expect((await client.fail('GetProfile', { profile_id: created.profile_id })).code).toBe(status.NOT_FOUND);
    expect((await client.fail('DeleteProfile', { profile_id: created.profile_id })).code).toBe(status.NOT_FOUND);
  });

  it('enforces at most five profiles and unique names per account', async () => {
    expect((await client.fail('CreateProfile', { account_id: 'acct-0001', name: 'Sixth' })).code).toBe(
      status.FAILED_PRECONDITION,
    );
    const taken = await client.call<{ profiles: Profile[] }>('ListProfiles', { account_id: 'acct-0003' });
    const duplicate = await client.fail('CreateProfile', {
      account_id: 'acct-0003',
      name: taken.profiles[0]!.name.toUpperCase(),
    });
    expect(duplicate.code).toBe(status.ALREADY_EXISTS);
  });

  it('records viewing progress against the title’s runtime, most recent first', async () => {
    await client.call('RecordViewingProgress', {
      profile_id: 'acct-0003-p1',
      title_id: 'tt00020',
      position_seconds: 60,
    });
    const { entry } = await client.call<{ entry: Entry }>('RecordViewingProgress', {
      profile_id: 'acct-0003-p1',
      title_id: 'tt00021',
      position_seconds: 120,
    });
    expect(entry).toMatchObject({ title_id: 'tt00021', position_seconds: 120, completed: false });
    const { entries } = await client.call<{ entries: Entry[] }>('GetViewingHistory', { profile_id: 'acct-0003-p1' });
    expect(entries.slice(0, 2).map((item) => item.title_id)).toEqual(['tt00021', 'tt00020']);
  });

  it.each([
    ['an empty profile id', 'GetProfile', { profile_id: '' }, status.INVALID_ARGUMENT, /^profile_id: /],
    ['an unknown profile', 'GetProfile', { profile_id: 'acct-0001-p9' }, status.NOT_FOUND, /acct-0001-p9/],
    ['an unknown account', 'ListProfiles', { account_id: 'acct-9999' }, status.NOT_FOUND, /acct-9999/],
    ['page_size 0', 'ListProfiles', { account_id: 'acct-0001', page_size: 0 }, status.INVALID_ARGUMENT, /^page_size: /],
    [
      'a kids profile above 7',
      'CreateProfile',
      { account_id: 'acct-0005', name: 'K', kids: true, maturity_level: 13 },
      status.INVALID_ARGUMENT,
      /^maturity_level: /,
    ],
    [
      'a maturity level that is no age',
      'CreateProfile',
      { account_id: 'acct-0005', name: 'M', maturity_level: 9 },
      status.INVALID_ARGUMENT,
      /^maturity_level: /,
    ],
    ['an empty name', 'CreateProfile', { account_id: 'acct-0005', name: '' }, status.INVALID_ARGUMENT, /^name: /],
    [
      'a malformed language',
      'CreateProfile',
      { account_id: 'acct-0005', name: 'L', language: 'not a tag' },
      status.INVALID_ARGUMENT,
      /^language: /,
    ],
    [
      'an unknown mask path',
      'UpdateProfile',
      { profile: { profile_id: 'acct-0001-p1' }, update_mask: { paths: ['email'] } },
      status.INVALID_ARGUMENT,
      /^update_mask: /,
    ],
    [
      'a position beyond the runtime',
      'RecordViewingProgress',
      { profile_id: 'acct-0001-p1', title_id: 'tt00001', position_seconds: 999_999 },
      status.INVALID_ARGUMENT,
      /^position_seconds: /,
    ],
    [
      'a negative position',
      'RecordViewingProgress',
      { profile_id: 'acct-0001-p1', title_id: 'tt00001', position_seconds: -1 },
      status.INVALID_ARGUMENT,
      /^position_seconds: /,
    ],
    [
      'an unknown title',
      'RecordViewingProgress',
      { profile_id: 'acct-0001-p1', title_id: 'tt99999', position_seconds: 1 },
      status.NOT_FOUND,
      /tt99999/,
    ],
    [
      'a malformed page token',
      'GetViewingHistory',
      { profile_id: 'acct-0001-p1', page_token: '!!' },
      status.INVALID_ARGUMENT,
      /^page_token: /,
    ],
  ])('%s gives the right code and names the field or id', async (_case, method, request, code, message) => {
    const error = await client.fail(method, request);
    expect(error.code).toBe(code);
    expect(error.details).toMatch(message);
  });

  it('answers UNAVAILABLE when catalog cannot be reached to check a title', async () => {
    const error = await client.fail(
      'RecordViewingProgress',
      { profile_id: 'acct-0001-p1', title_id: 'tt00030', position_seconds: 5 },
      { metadata: { 'x-streamplane-fault': 'catalog=UNAVAILABLE' } },
    );
    expect(error.code).toBe(status.UNAVAILABLE);
  });
});
