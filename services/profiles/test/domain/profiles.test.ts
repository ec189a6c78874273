import {
  AlreadyExistsError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
} from '@streamplane/platform/errors';
import { encodePageToken } from '@streamplane/platform/paging';
import { InMemoryProfileStore } from '../../src/adapters/in-memory-profile-store';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MUTABLE_FIELDS, ProfilesDomain, resolveUpdateMask } from '../../src/domain';
import type { Profile, ProfileStore, ViewingHistoryEntry } from '../../src/domain';
import { expectRejects, steppingClock } from './helpers';

const START = Date.UTC(2026, 5, 1);

async function setup(): Promise<{ store: InMemoryProfileStore; domain: ProfilesDomain }> {
  const store = new InMemoryProfileStore();
  for (const account of ['acct-a', 'acct-b', 'acct-c']) await store.addAccount(account);
  return { store, domain: new ProfilesDomain(store, { clock: steppingClock(START) }) };
}

describe('ProfilesDomain.createProfile', () => {
  it('applies the defaults: adults 18, kids 7, language "en", default avatar; stamps the clock', async () => {
    const { domain } = await setup();
    const adult = await domain.createProfile({ accountId: 'acct-a', name: 'Anna' });
    expect(adult).toEqual({
      profileId: 'acct-a-p1',
      accountId: 'acct-a',
      name: 'Anna',
      maturityLevel: 18,
      kids: false,
      language: 'en',
      avatar: '',
      createTime: new Date(START),
      updateTime: new Date(START),
    });
    const kids = await domain.createProfile({ accountId: 'acct-a', name: 'Kids', kids: true, language: '' });
    expect(kids).toMatchObject({ profileId: 'acct-a-p2', kids: true, maturityLevel: 7, language: 'en' });
    expect(kids.createTime).toEqual(new Date(START + 1000));
  });

  it('keeps explicit values, trims and NFC-normalises the name, canonicalises the language case', async () => {
    const { domain } = await setup();
    const profile = await domain.createProfile({
      accountId: 'acct-a',
      name: '  Le\u0301a  ',
      maturityLevel: 13,
      language: 'PT-br',
      avatar: 'avatar-07',
    });
    expect(profile).toMatchObject({ name: 'L\u00e9a', maturityLevel: 13, language: 'pt-BR', avatar: 'avatar-07' });
    expect(
      (await domain.createProfile({ accountId: 'acct-a', name: 'Kid', kids: true, maturityLevel: 0 })).maturityLevel,
    ).toBe(0);
    expect((await domain.createProfile({ accountId: 'acct-a', name: 'Zh', language: 'zh-hant-tw' })).language).toBe(
      'zh-Hant-TW',
    );
    expect((await domain.createProfile({ accountId: 'acct-a', name: 'Latam', language: 'es-419' })).language).toBe(
      'es-419',
    );
  });

  // An empty account_id is the api's to reject: test/api/profiles.controller.test.ts.
  it.each([
    [{ accountId: 'acct-a', name: '' }, 'name', 'must not be empty'],
    [{ accountId: 'acct-a', name: ' \t ' }, 'name', 'must not be empty'],
    [{ accountId: 'acct-a', name: 'x'.repeat(51) }, 'name', 'at most 50 characters, got 51'],
    [{ accountId: 'acct-a', name: 'Ann\u0000a' }, 'name', 'control characters'],
    [{ accountId: 'acct-a', name: 'Ann\na' }, 'name', 'control characters'],
    [{ accountId: 'acct-a', name: 'Ann\u2028a' }, 'name', 'line breaks'],
    [{ accountId: 'acct-a', name: 'A', maturityLevel: 12 }, 'maturity_level', 'one of 0, 7, 13, 16, 18, got 12'],
    [{ accountId: 'acct-a', name: 'A', maturityLevel: -1 }, 'maturity_level', 'got -1'],
    [{ accountId: 'acct-a', name: 'A', maturityLevel: 7.5 }, 'maturity_level', 'got 7.5'],
    [{ accountId: 'acct-a', name: 'A', kids: true, maturityLevel: 13 }, 'maturity_level', 'at most 7, got 13'],
    [{ accountId: 'acct-a', name: 'A', kids: true, maturityLevel: 18 }, 'maturity_level', 'at most 7, got 18'],
    [{ accountId: 'acct-a', name: 'A', language: 'english' + 'x'.repeat(3) }, 'language', 'BCP-47'],
    [{ accountId: 'acct-a', name: 'A', language: 'en_US' }, 'language', '"en_US" is not a BCP-47'],
    [{ accountId: 'acct-a', name: 'A', language: 'e' }, 'language', 'BCP-47'],
    [{ accountId: 'acct-a', name: 'A', language: 'en-' }, 'language', 'BCP-47'],
    [{ accountId: 'acct-a', name: 'A', avatar: 'my avatar' }, 'avatar', 'identifier'],
    [{ accountId: 'acct-a', name: 'A', avatar: 'a'.repeat(65) }, 'avatar', 'at most 64'],
  ])('rejects %j with InvalidArgument on %s', async (input, field, reason) => {
    const { domain, store } = await setup();
    const error = await expectRejects(domain.createProfile(input), InvalidArgumentError, `${field}: `, reason);
    expect((error as InvalidArgumentError).field).toBe(field);
    expect(await store.listProfiles(input.accountId)).toEqual([]);
  });

  it('accepts names up to 50 characters counted as code points, and well-formed tags of every shape', async () => {
    const { domain } = await setup();
    expect((await domain.createProfile({ accountId: 'acct-a', name: 'x'.repeat(50) })).name).toHaveLength(50);
    // 50 emoji are 100 UTF-16 units but 50 characters.
    const emoji = '\u{1F3AC}'.repeat(50);
    expect((await domain.createProfile({ accountId: 'acct-a', name: emoji })).name).toBe(emoji);
    await expectRejects(
      domain.createProfile({ accountId: 'acct-b', name: '\u{1F3AC}'.repeat(51) }),
      InvalidArgumentError,
      'got 51',
    );
    for (const [language, stored] of [
      ['sr-Latn-RS', 'sr-Latn-RS'],
      ['de-CH-1996', 'de-CH-1996'],
      ['en-GB-oed', 'en-GB-oed'],
      ['x-private', 'x-private'],
    ]) {
      expect((await domain.createProfile({ accountId: 'acct-c', name: language!, language })).language).toBe(stored);
    }
  });

  it('validates fields before touching the store (an invalid name on an unknown account is InvalidArgument)', async () => {
    const { domain } = await setup();
    await expectRejects(domain.createProfile({ accountId: 'acct-zzz', name: '' }), InvalidArgumentError, 'name');
    await expectRejects(
      domain.createProfile({ accountId: 'acct-zzz', name: 'A' }),
      NotFoundError,
      'account "acct-zzz"',
    );
  });

  it('enforces at most 5 profiles per account with FailedPrecondition', async () => {
    const { domain } = await setup();
    for (const name of ['A', 'B', 'C', 'D', 'E']) await domain.createProfile({ accountId: 'acct-a', name });
    await expectRejects(
      domain.createProfile({ accountId: 'acct-a', name: 'F' }),
      FailedPreconditionError,
      'limit is 5',
    );
  });

  it('honours a configured limit', async () => {
    const store = new InMemoryProfileStore();
    await store.addAccount('acct-a');
    const domain = new ProfilesDomain(store, { clock: steppingClock(), maxProfilesPerAccount: 1 });
    await domain.createProfile({ accountId: 'acct-a', name: 'A' });
    await expectRejects(
      domain.createProfile({ accountId: 'acct-a', name: 'B' }),
      FailedPreconditionError,
      'limit is 1',
    );
  });

  it('rejects a duplicate name case-insensitively (after trimming) with AlreadyExists', async () => {
    const { domain } = await setup();
    await domain.createProfile({ accountId: 'acct-a', name: 'Anna' });
    await expectRejects(domain.createProfile({ accountId: 'acct-a', name: ' aNNa ' }), AlreadyExistsError, '"aNNa"');
    await domain.createProfile({ accountId: 'acct-b', name: 'anna' });
  });

  it('lets exactly one of concurrent creates racing for the last slot win', async () => {
    const { domain, store } = await setup();
    for (const name of ['A', 'B', 'C', 'D']) await domain.createProfile({ accountId: 'acct-a', name });
    const results = await Promise.allSettled(
      ['E', 'F', 'G', 'H'].map((name) => domain.createProfile({ accountId: 'acct-a', name })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(FailedPreconditionError);
    expect(await store.listProfiles('acct-a')).toHaveLength(5);
  });
});

describe('ProfilesDomain.getProfile / listProfiles / deleteProfile', () => {
  // Empty ids are the api's to reject: test/api/profiles.controller.test.ts.
  it('gets a profile; unknown is NotFound', async () => {
    const { domain } = await setup();
    const created = await domain.createProfile({ accountId: 'acct-a', name: 'Anna' });
    expect(await domain.getProfile('acct-a-p1')).toEqual(created);
    await expectRejects(domain.getProfile('acct-a-p2'), NotFoundError, 'profile "acct-a-p2" not found');
  });

  it('lists in creation order, pages with tokens bound to the account', async () => {
    const { domain } = await setup();
    for (const name of ['A', 'B', 'C', 'D', 'E']) await domain.createProfile({ accountId: 'acct-a', name });
    await domain.createProfile({ accountId: 'acct-b', name: 'X' });
    const all = await domain.listProfiles('acct-a');
    expect(all.profiles.map((p) => p.name)).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(all.nextPageToken).toBe('');

    const first = await domain.listProfiles('acct-a', 2);
    const second = await domain.listProfiles('acct-a', 2, first.nextPageToken);
    const third = await domain.listProfiles('acct-a', 2, second.nextPageToken);
    expect([first, second, third].flatMap((p) => p.profiles.map((x) => x.name))).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(third.nextPageToken).toBe('');
    await expectRejects(domain.listProfiles('acct-b', 2, first.nextPageToken), InvalidArgumentError, 'page_token');
  });

  it('validates list requests', async () => {
    const { domain } = await setup();
    await expectRejects(domain.listProfiles('acct-zzz'), NotFoundError, 'account "acct-zzz" not found');
    for (const size of [0, MAX_PAGE_SIZE + 1, 2.5]) {
      await expectRejects(
        domain.listProfiles('acct-a', size),
        InvalidArgumentError,
        'page_size: must be between 1 and 100',
      );
    }
    await expectRejects(domain.listProfiles('acct-a', 5, 'garbage'), InvalidArgumentError, 'page_token');
    expect(await domain.listProfiles('acct-a', MAX_PAGE_SIZE)).toEqual({ profiles: [], nextPageToken: '' });
  });

  it('deletes a profile and its history; a second delete is NotFound', async () => {
    const { domain } = await setup();
    await domain.createProfile({ accountId: 'acct-a', name: 'Anna' });
    await domain.recordViewingProgress('acct-a-p1', 'tt00001', 60, 7440);
    await domain.deleteProfile('acct-a-p1');
    await expectRejects(domain.getProfile('acct-a-p1'), NotFoundError);
    await expectRejects(domain.viewingHistory('acct-a-p1'), NotFoundError, 'profile "acct-a-p1"');
    await expectRejects(domain.deleteProfile('acct-a-p1'), NotFoundError, 'profile "acct-a-p1" not found');
    // The name is free again; the new profile gets a new id and an empty history.
    const again = await domain.createProfile({ accountId: 'acct-a', name: 'Anna' });
    expect(again.profileId).toBe('acct-a-p2');
    expect((await domain.viewingHistory('acct-a-p2')).entries).toEqual([]);
  });
});

describe('ProfilesDomain.updateProfile', () => {
  let domain: ProfilesDomain;
  let adult: Profile;

  beforeEach(async () => {
    ({ domain } = await setup());
    adult = await domain.createProfile({ accountId: 'acct-a', name: 'Anna', language: 'fr', avatar: 'avatar-01' });
    await domain.createProfile({ accountId: 'acct-a', name: 'Ben' });
    await domain.createProfile({ accountId: 'acct-a', name: 'Kids', kids: true });
  });

  const everything = { name: 'Zed', maturityLevel: 13, kids: false, language: 'de', avatar: 'avatar-09' };

  it('changes only the fields the mask names', async () => {
    const updated = await domain.updateProfile('acct-a-p1', everything, ['name']);
    expect(updated).toEqual({ ...adult, name: 'Zed', updateTime: updated.updateTime });
    expect(updated.updateTime.getTime()).toBeGreaterThan(adult.updateTime.getTime());
    expect(await domain.getProfile('acct-a-p1')).toEqual(updated);

    const more = await domain.updateProfile('acct-a-p1', everything, ['language', 'avatar', 'maturity_level']);
    expect(more).toMatchObject({ name: 'Zed', language: 'de', avatar: 'avatar-09', maturityLevel: 13, kids: false });
  });

  it.each([[[]], [['*']]])(
    'replaces every mutable field for mask %j; unset fields take proto defaults',
    async (mask) => {
      const updated = await domain.updateProfile('acct-a-p1', everything, mask);
      expect(updated).toMatchObject({ profileId: 'acct-a-p1', accountId: 'acct-a', ...everything });
      // A full replacement with only a name: maturity 0, not kids, language "en", default avatar.
      const replaced = await domain.updateProfile('acct-a-p1', { name: 'Zed' }, mask);
      expect(replaced).toMatchObject({ name: 'Zed', maturityLevel: 0, kids: false, language: 'en', avatar: '' });
    },
  );

  it('treats a masked field left undefined as its proto default', async () => {
    expect(await domain.updateProfile('acct-a-p1', {}, ['language', 'avatar'])).toMatchObject({
      language: 'en',
      avatar: '',
    });
    await expectRejects(
      domain.updateProfile('acct-a-p1', {}, ['name']),
      InvalidArgumentError,
      'name: must not be empty',
    );
  });

  it('rejects unknown, output-only and mixed-"*" mask paths with InvalidArgument on update_mask', async () => {
    await expectRejects(
      domain.updateProfile('acct-a-p1', everything, ['x']),
      InvalidArgumentError,
      'update_mask: unknown field "x"',
    );
    await expectRejects(
      domain.updateProfile('acct-a-p1', everything, ['name', 'maturityLevel']),
      InvalidArgumentError,
      'unknown field "maturityLevel"',
    );
    for (const path of ['profile_id', 'account_id', 'create_time', 'update_time']) {
      await expectRejects(
        domain.updateProfile('acct-a-p1', everything, [path]),
        InvalidArgumentError,
        `field "${path}" is not mutable`,
      );
    }
    await expectRejects(
      domain.updateProfile('acct-a-p1', everything, ['*', 'name']),
      InvalidArgumentError,
      'update_mask',
    );
    expect((await domain.getProfile('acct-a-p1')).name).toBe('Anna');
  });

  it('validates the new values like create does', async () => {
    await expectRejects(domain.updateProfile('acct-a-p1', { name: ' ' }, ['name']), InvalidArgumentError, 'name');
    await expectRejects(
      domain.updateProfile('acct-a-p1', { name: 'y'.repeat(51) }, ['name']),
      InvalidArgumentError,
      'name',
    );
    await expectRejects(
      domain.updateProfile('acct-a-p1', { maturityLevel: 15 }, ['maturity_level']),
      InvalidArgumentError,
      'maturity_level',
    );
    await expectRejects(
      domain.updateProfile('acct-a-p1', { language: 'en_GB' }, ['language']),
      InvalidArgumentError,
      'language',
    );
    await expectRejects(
      domain.updateProfile('acct-a-p1', { avatar: 'a/b' }, ['avatar']),
      InvalidArgumentError,
      'avatar',
    );
    expect(
      await domain.updateProfile('acct-a-p1', { name: '  Annie ', language: 'EN-gb' }, ['name', 'language']),
    ).toMatchObject({
      name: 'Annie',
      language: 'en-GB',
    });
  });

  it('rejects a kids profile above 7, whichever side of the rule the update touches', async () => {
    // kids → true on an adult at 18.
    await expectRejects(
      domain.updateProfile('acct-a-p1', { kids: true }, ['kids']),
      InvalidArgumentError,
      'kids: ',
      'has 18',
    );
    // Both in one request.
    await expectRejects(
      domain.updateProfile('acct-a-p1', { kids: true, maturityLevel: 13 }, ['kids', 'maturity_level']),
      InvalidArgumentError,
      'maturity_level: ',
    );
    // maturity up on a kids profile.
    await expectRejects(
      domain.updateProfile('acct-a-p3', { maturityLevel: 16 }, ['maturity_level']),
      InvalidArgumentError,
      'maturity_level: ',
    );
    expect(await domain.getProfile('acct-a-p1')).toMatchObject({ kids: false, maturityLevel: 18 });
    expect(await domain.getProfile('acct-a-p3')).toMatchObject({ kids: true, maturityLevel: 7 });
    // Allowed: both together, within the rule; and kids off then maturity up.
    expect(
      await domain.updateProfile('acct-a-p1', { kids: true, maturityLevel: 7 }, ['kids', 'maturity_level']),
    ).toMatchObject({
      kids: true,
      maturityLevel: 7,
    });
    expect(
      await domain.updateProfile('acct-a-p3', { kids: false, maturityLevel: 16 }, ['kids', 'maturity_level']),
    ).toMatchObject({
      kids: false,
      maturityLevel: 16,
    });
  });

  it('rejects a name another profile of the account has, case-insensitively, with AlreadyExists', async () => {
    await expectRejects(domain.updateProfile('acct-a-p1', { name: 'BEN' }, ['name']), AlreadyExistsError, '"BEN"');
    // Its own name in another case is fine.
    expect((await domain.updateProfile('acct-a-p1', { name: 'ANNA' }, ['name'])).name).toBe('ANNA');
  });

  it('is NotFound for an unknown profile', async () => {
    await expectRejects(domain.updateProfile('acct-a-p9', { name: 'X' }, ['name']), NotFoundError, 'acct-a-p9');
  });

  it('keeps update_time when the update changes nothing', async () => {
    const same = await domain.updateProfile('acct-a-p1', { name: 'Anna', avatar: 'avatar-01' }, ['name', 'avatar']);
    expect(same).toEqual(adult);
  });
});

describe('resolveUpdateMask', () => {
  it('maps paths to mutable fields', () => {
    expect([...resolveUpdateMask([])]).toEqual([...MUTABLE_FIELDS]);
    expect([...resolveUpdateMask(['*'])]).toEqual(['name', 'maturity_level', 'kids', 'language', 'avatar']);
    expect([...resolveUpdateMask(['kids', 'name', 'kids'])]).toEqual(['kids', 'name']);
    expect(() => resolveUpdateMask([''])).toThrow('update_mask: unknown field ""');
  });
});

describe('ProfilesDomain.recordViewingProgress', () => {
  let domain: ProfilesDomain;

  beforeEach(async () => {
    ({ domain } = await setup());
    await domain.createProfile({ accountId: 'acct-a', name: 'Anna' });
  });

  it('stores the entry with the runtime, completion and the clock time', async () => {
    const stored = await domain.recordViewingProgress('acct-a-p1', 'tt00001', 1200, 7440);
    expect(stored).toEqual({
      titleId: 'tt00001',
      positionSeconds: 1200,
      runtimeSeconds: 7440,
      completed: false,
      watchedAt: expect.any(Date),
    });
    expect(stored.watchedAt.getTime()).toBeGreaterThanOrEqual(START);
  });

  it('marks an entry completed from 95 % of the runtime on', async () => {
    expect((await domain.recordViewingProgress('acct-a-p1', 't', 949, 1000)).completed).toBe(false);
    expect((await domain.recordViewingProgress('acct-a-p1', 't', 950, 1000)).completed).toBe(true);
    expect((await domain.recordViewingProgress('acct-a-p1', 't', 7067, 7440)).completed).toBe(false);
    expect((await domain.recordViewingProgress('acct-a-p1', 't', 7068, 7440)).completed).toBe(true);
    expect((await domain.recordViewingProgress('acct-a-p1', 't', 7440, 7440)).completed).toBe(true);
    expect((await domain.recordViewingProgress('acct-a-p1', 't', 0, 7440)).completed).toBe(false);
  });

  it('rejects positions outside 0..runtime with InvalidArgument on position_seconds', async () => {
    await expectRejects(
      domain.recordViewingProgress('acct-a-p1', 'tt00001', -1, 7440),
      InvalidArgumentError,
      'position_seconds: must not be negative',
    );
    await expectRejects(
      domain.recordViewingProgress('acct-a-p1', 'tt00001', 7441, 7440),
      InvalidArgumentError,
      'position_seconds: ',
      '7440 seconds',
      'got 7441',
    );
    await expectRejects(
      domain.recordViewingProgress('acct-a-p1', 'tt00001', 1.5, 7440),
      InvalidArgumentError,
      'position_seconds: ',
    );
    expect((await domain.viewingHistory('acct-a-p1')).entries).toEqual([]);
  });

  it('is NotFound for an unknown profile, and treats a bad runtime (the server’s own fact) as a programming error', async () => {
    await expectRejects(domain.recordViewingProgress('acct-a-p9', 'tt00001', 1, 10), NotFoundError, 'acct-a-p9');
    await expect(domain.recordViewingProgress('acct-a-p1', 'tt00001', 0, -1)).rejects.toThrow(RangeError);
    await expect(domain.recordViewingProgress('acct-a-p1', 'tt00001', 0, Number.NaN)).rejects.toThrow(RangeError);
  });
});

describe('ProfilesDomain.viewingHistory', () => {
  let domain: ProfilesDomain;

  beforeEach(async () => {
    ({ domain } = await setup());
    await domain.createProfile({ accountId: 'acct-a', name: 'Anna' });
    await domain.createProfile({ accountId: 'acct-a', name: 'Ben' });
  });

  const record = (profileId: string, titleIds: string[]) =>
    titleIds.reduce<Promise<unknown>>(
      (previous, titleId) => previous.then(() => domain.recordViewingProgress(profileId, titleId, 60, 3600)),
      Promise.resolve(),
    );

  async function walk(profileId: string, pageSize: number): Promise<{ entries: ViewingHistoryEntry[]; pages: number }> {
    const entries: ViewingHistoryEntry[] = [];
    let token = '';
    let pages = 0;
    do {
      const page = await domain.viewingHistory(profileId, pageSize, token);
      expect(page.entries.length).toBeLessThanOrEqual(pageSize);
      if (page.nextPageToken !== '') expect(page.entries).toHaveLength(pageSize);
      entries.push(...page.entries);
      token = page.nextPageToken;
      pages++;
      expect(pages).toBeLessThan(1000);
    } while (token !== '');
    return { entries, pages };
  }

  it('lists most recent first; re-recording moves a title to the top without duplicating it', async () => {
    await record('acct-a-p1', ['tt00001', 'tt00002', 'tt00003']);
    expect((await domain.viewingHistory('acct-a-p1')).entries.map((e) => e.titleId)).toEqual([
      'tt00003',
      'tt00002',
      'tt00001',
    ]);
    await domain.recordViewingProgress('acct-a-p1', 'tt00001', 3000, 3600);
    const page = await domain.viewingHistory('acct-a-p1');
    expect(page.entries.map((e) => e.titleId)).toEqual(['tt00001', 'tt00003', 'tt00002']);
    expect(page.entries[0]!.positionSeconds).toBe(3000);
    expect(page.entries[0]!.watchedAt.getTime()).toBeGreaterThan(page.entries[1]!.watchedAt.getTime());
    expect(page.nextPageToken).toBe('');
  });

  it('walks every entry exactly once, in order, whatever the page size', async () => {
    const titles = Array.from({ length: 23 }, (_, i) => `tt${String(i + 1).padStart(5, '0')}`);
    await record('acct-a-p1', titles);
    const newestFirst = [...titles].reverse();
    for (const [size, pages] of [
      [5, 5],
      [1, 23],
      [23, 1],
      [22, 2],
      [100, 1],
    ] as const) {
      const walked = await walk('acct-a-p1', size);
      expect(walked.entries.map((e) => e.titleId)).toEqual(newestFirst);
      expect(walked.pages).toBe(pages);
    }
  });

  it('uses a page size of 20 by default and rejects sizes outside 1..100', async () => {
    await record(
      'acct-a-p1',
      Array.from({ length: 25 }, (_, i) => `t${i}`),
    );
    expect(DEFAULT_PAGE_SIZE).toBe(20);
    const page = await domain.viewingHistory('acct-a-p1');
    expect(page.entries).toHaveLength(20);
    expect((await domain.viewingHistory('acct-a-p1', undefined, page.nextPageToken)).entries).toHaveLength(5);
    for (const size of [0, -1, 101, 2.5]) {
      await expectRejects(
        domain.viewingHistory('acct-a-p1', size),
        InvalidArgumentError,
        'page_size: must be between 1 and 100',
      );
    }
  });

  it('rejects a token of another profile, and one this service never issued', async () => {
    await record('acct-a-p1', ['a', 'b', 'c']);
    await record('acct-a-p2', ['a', 'b', 'c']);
    const token = (await domain.viewingHistory('acct-a-p1', 1)).nextPageToken;
    expect(token).not.toBe('');
    await expectRejects(domain.viewingHistory('acct-a-p2', 1, token), InvalidArgumentError, 'page_token: ');
    await expectRejects(domain.viewingHistory('acct-a-p1', 1, 'not-a-token'), InvalidArgumentError, 'page_token: ');
    const listToken = encodePageToken(1, 'profiles:acct-a');
    await expectRejects(domain.viewingHistory('acct-a-p1', 1, listToken), InvalidArgumentError, 'page_token: ');
    expect((await domain.viewingHistory('acct-a-p1', 1, token)).entries.map((e) => e.titleId)).toEqual(['b']);
  });

  it('gives an empty page for an empty history and is NotFound for an unknown profile', async () => {
    expect(await domain.viewingHistory('acct-a-p1')).toEqual({ entries: [], nextPageToken: '' });
    await expectRejects(domain.viewingHistory('acct-a-p9'), NotFoundError, 'profile "acct-a-p9" not found');
  });

  it('asks the store for one page and one entry more, never the whole history', async () => {
    const store = new InMemoryProfileStore();
    const calls: [number, number][] = [];
    const spy: ProfileStore = Object.assign(Object.create(store) as ProfileStore, {
      history: (profileId: string, offset: number, limit: number) => {
        calls.push([offset, limit]);
        return store.history(profileId, offset, limit);
      },
    });
    await store.addAccount('acct-a');
    const local = new ProfilesDomain(spy, { clock: steppingClock() });
    await local.createProfile({ accountId: 'acct-a', name: 'A' });
    for (let i = 0; i < 10; i++) await local.recordViewingProgress('acct-a-p1', `t${i}`, 1, 10);
    const first = await local.viewingHistory('acct-a-p1', 4);
    await local.viewingHistory('acct-a-p1', 4, first.nextPageToken);
    expect(calls).toEqual([
      [0, 5],
      [4, 5],
    ]);
  });
});
