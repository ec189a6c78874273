import { FailedPreconditionError } from '@streamplane/platform/errors';
import { InMemoryProfileStore } from '../../src/adapters/in-memory-profile-store';
import {
  KIDS_MAX_MATURITY_LEVEL,
  MATURITY_LEVELS,
  ProfilesDomain,
  SEED_ACCOUNT_COUNT,
  SEED_EPOCH_MS,
  formatAccountId,
  generateSeedAccounts,
  nameKey,
  normalizeAvatar,
  normalizeLanguage,
  normalizeName,
  seedProfiles,
} from '../../src/domain';
import type { ProfileDraft, ProfileLimits, ProfileStore } from '../../src/domain';
import { expectRejects, steppingClock } from './helpers';

const seed = generateSeedAccounts();
const profiles = seed.flatMap((a) => a.profiles.map((p) => p.profile));
const byId = new Map(profiles.map((p) => [p.profileId, p]));

describe('generateSeedAccounts', () => {
  it('has accounts acct-0001 … acct-1000, in order, with 1–5 profiles each, ids -p1 … -pN', () => {
    expect(SEED_ACCOUNT_COUNT).toBe(1000);
    expect(seed.map((a) => a.accountId)).toEqual(Array.from({ length: 1000 }, (_, i) => formatAccountId(i + 1)));
    expect(seed[0]!.accountId).toBe('acct-0001');
    expect(seed[999]!.accountId).toBe('acct-1000');
    for (const account of seed) {
      expect(account.profiles.length).toBeGreaterThanOrEqual(1);
      expect(account.profiles.length).toBeLessThanOrEqual(5);
      account.profiles.forEach(({ profile }, i) => {
        expect(profile.profileId).toBe(`${account.accountId}-p${i + 1}`);
        expect(profile.accountId).toBe(account.accountId);
      });
    }
  });

  it('has the fixed fixtures: acct-0001 has 5 profiles, p5 is kids; acct-0001…0004 have at least 2', () => {
    expect(seed[0]!.profiles.map((p) => p.profile.name)).toEqual(['Alex', 'María', 'Léa', 'Noah', 'Kids']);
    const p5 = byId.get('acct-0001-p5')!;
    expect(p5.kids).toBe(true);
    expect(p5.maturityLevel).toBeLessThanOrEqual(7);
    expect(byId.get('acct-0001-p1')).toMatchObject({ kids: false, maturityLevel: 18, language: 'en' });
    expect(byId.get('acct-0001-p4')).toMatchObject({ kids: false, maturityLevel: 13 });
    for (const account of seed.slice(0, 4)) expect(account.profiles.length).toBeGreaterThanOrEqual(2);
  });

  it('obeys every profile rule: valid fields, unique names per account, kids at most 7', () => {
    for (const account of seed) {
      const keys = account.profiles.map((p) => nameKey(p.profile.name));
      expect(new Set(keys).size).toBe(keys.length);
    }
    for (const p of profiles) {
      expect(normalizeName(p.name)).toBe(p.name);
      expect(normalizeLanguage(p.language)).toBe(p.language);
      expect(normalizeAvatar(p.avatar)).toBe(p.avatar);
      expect(MATURITY_LEVELS).toContain(p.maturityLevel);
      if (p.kids) {
        expect(p.maturityLevel).toBeLessThanOrEqual(KIDS_MAX_MATURITY_LEVEL);
        expect(p.name).toBe('Kids');
      } else {
        expect(p.name).not.toBe('Kids');
      }
    }
  });

  it('looks like a real subscriber base', () => {
    const share = (predicate: (p: (typeof profiles)[number]) => boolean, of = profiles) =>
      of.filter(predicate).length / of.length;
    const counts = seed.map((a) => a.profiles.length);
    for (let n = 1; n <= 5; n++) expect(counts.filter((c) => c === n).length).toBeGreaterThan(50);
    expect(profiles.length).toBeGreaterThan(2000);
    expect(profiles.length).toBeLessThan(3500);

    expect(share((p) => p.language === 'en')).toBeGreaterThan(0.4);
    expect(share((p) => p.language === 'en')).toBeLessThan(0.75);
    for (const language of ['es', 'es-419', 'fr', 'de', 'pt-BR', 'ja']) {
      expect(share((p) => p.language === language)).toBeGreaterThan(0.01);
    }
    const adults = profiles.filter((p) => !p.kids);
    expect(share((p) => p.maturityLevel === 18, adults)).toBeGreaterThan(0.75);
    expect(adults.some((p) => p.maturityLevel === 16)).toBe(true);
    expect(adults.some((p) => p.maturityLevel === 13)).toBe(true);
    const kids = profiles.filter((p) => p.kids);
    expect(kids.length / seed.length).toBeGreaterThan(0.1);
    expect(kids.some((p) => p.maturityLevel === 0)).toBe(true);
    expect(new Set(profiles.map((p) => p.name)).size).toBeGreaterThan(50);
  });

  it('derives every timestamp from the epoch: creation in id order, history after creation', () => {
    for (const account of seed) {
      let previous = -Infinity;
      for (const { profile, history } of account.profiles) {
        expect(profile.createTime.getTime()).toBeGreaterThanOrEqual(SEED_EPOCH_MS);
        expect(profile.createTime.getTime()).toBeGreaterThan(previous);
        expect(profile.updateTime).toEqual(profile.createTime);
        previous = profile.createTime.getTime();
        for (const entry of history) expect(entry.watchedAt.getTime()).toBeGreaterThan(previous);
      }
    }
    expect(byId.get('acct-0001-p1')!.createTime.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('seeds a little history for the fixtures, with positions under 20 minutes inside the runtime', () => {
    const withHistory = seed.flatMap((a) => a.profiles).filter((p) => p.history.length > 0);
    expect(withHistory.map((p) => p.profile.profileId)).toEqual(['acct-0001-p1', 'acct-0001-p5', 'acct-0002-p1']);
    expect(withHistory[0]!.history.map((e) => e.titleId)).toEqual(['tt00001', 'tt00002', 'tt00003']);
    for (const { history } of withHistory) {
      for (let i = 0; i < history.length; i++) {
        const e = history[i]!;
        expect(e.positionSeconds).toBeGreaterThan(0);
        expect(e.positionSeconds).toBeLessThan(20 * 60);
        expect(e.positionSeconds).toBeLessThanOrEqual(e.runtimeSeconds);
        expect(e.completed).toBe(false);
        if (i > 0) expect(e.watchedAt.getTime()).toBeGreaterThan(history[i - 1]!.watchedAt.getTime());
      }
    }
    // The kids profile only watched what a kids profile may play (tt00002 is TV-Y).
    expect(withHistory[1]!.history.map((e) => e.titleId)).toEqual(['tt00002']);
  });

  it('is deterministic and prefix-stable, and uses neither the clock nor Math.random', () => {
    // A faked clock five years on: any use of `new Date()` or Date.now() would change the output.
    jest.useFakeTimers({ now: Date.UTC(2031, 6, 9) });
    const random = jest.spyOn(Math, 'random').mockImplementation(() => {
      throw new Error('Math.random in the seed');
    });
    try {
      expect(generateSeedAccounts()).toEqual(seed);
      expect(generateSeedAccounts(10)).toEqual(seed.slice(0, 10));
    } finally {
      random.mockRestore();
      jest.useRealTimers();
    }
    // Fresh objects every call.
    const again = generateSeedAccounts(1);
    again[0]!.profiles[0]!.profile.name = 'changed';
    expect(generateSeedAccounts(1)[0]!.profiles[0]!.profile.name).toBe('Alex');
  });

  it('rejects a count outside 0..9999', () => {
    expect(generateSeedAccounts(0)).toEqual([]);
    expect(() => generateSeedAccounts(-1)).toThrow(RangeError);
    expect(() => generateSeedAccounts(10_000)).toThrow(RangeError);
    expect(() => generateSeedAccounts(1.5)).toThrow(RangeError);
  });
});

describe('seedProfiles', () => {
  let store: InMemoryProfileStore;
  let domain: ProfilesDomain;

  beforeAll(async () => {
    store = new InMemoryProfileStore();
    const summary = await seedProfiles(store);
    expect(summary).toEqual({ accounts: 1000, profiles: profiles.length, historyEntries: 6 });
    domain = new ProfilesDomain(store, { clock: steppingClock(Date.UTC(2026, 6, 1)) });
  });

  it('fills a store with exactly the generated data', async () => {
    expect(await store.accountExists('acct-0001')).toBe(true);
    expect(await store.accountExists('acct-1000')).toBe(true);
    expect(await store.accountExists('acct-1001')).toBe(false);
    expect(await store.accountExists('acct-0000')).toBe(false);
    for (const account of [seed[0]!, seed[1]!, seed[499]!, seed[999]!]) {
      expect(await store.listProfiles(account.accountId)).toEqual(account.profiles.map((p) => p.profile));
    }
    expect(await domain.getProfile('acct-0001-p5')).toMatchObject({ name: 'Kids', kids: true, maturityLevel: 7 });
  });

  it('gives acct-0001-p1 a "Continue watching" history, most recent first', async () => {
    const page = await domain.viewingHistory('acct-0001-p1');
    expect(page.entries.map((e) => e.titleId)).toEqual(['tt00003', 'tt00002', 'tt00001']);
    expect(page.entries.every((e) => !e.completed)).toBe(true);
    expect((await domain.viewingHistory('acct-0002-p1')).entries.map((e) => e.titleId)).toEqual(['tt00004', 'tt00001']);
  });

  it('leaves the rules in force: acct-0001 is full, new profiles continue the numbering', async () => {
    await expectRejects(
      domain.createProfile({ accountId: 'acct-0001', name: 'Sixth' }),
      FailedPreconditionError,
      'limit is 5',
    );
    const small = seed.find((a) => a.profiles.length === 1)!;
    const created = await domain.createProfile({ accountId: small.accountId, name: 'New One' });
    expect(created.profileId).toBe(`${small.accountId}-p2`);
  });

  it('refuses to seed a store that already holds the seed', async () => {
    const again = new InMemoryProfileStore();
    await seedProfiles(again, 3);
    await expect(seedProfiles(again, 3)).rejects.toThrow('account "acct-0001" already exists');
  });

  it('refuses to go on when the store assigns other ids than the seed', async () => {
    const inner = new InMemoryProfileStore();
    const renumbering: ProfileStore = Object.assign(Object.create(inner) as ProfileStore, {
      createProfile: async (draft: ProfileDraft, limits: ProfileLimits) => {
        const created = await inner.createProfile(draft, limits);
        return { ...created, profileId: created.profileId.replace('-p', '-q') };
      },
    });
    await expect(seedProfiles(renumbering, 1)).rejects.toThrow(
      'the store assigned "acct-0001-q1" where the seed expects "acct-0001-p1"',
    );
  });
});
