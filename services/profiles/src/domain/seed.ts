import { MAX_PROFILES_PER_ACCOUNT, isCompleted } from './profile';
import type { MaturityLevel, Profile, ViewingHistoryEntry } from './profile';
import { SeededRandom } from '@streamplane/streaming';
import type { ProfileStore } from './store';

/**
 * The deterministic profiles seed: accounts `acct-0001` … `acct-1000` with 1–5 profiles each, and a little
 * viewing history for a few fixtures. Same data on every machine: one PRNG stream per account (keyed by
 * its id, so `generateSeedAccounts(n)` is a prefix of `generateSeedAccounts(m)` for n ≤ m), timestamps at
 * fixed offsets from SEED_EPOCH, no clock, no Math.random.
 *
 * Fixed fixtures (relied on by other services' tests and the README's grpcurl examples):
 * - `acct-0001` has exactly 5 profiles (so a sixth CreateProfile is FAILED_PRECONDITION):
 *   p1 "Alex" (18, en), p2 "María" (18, es), p3 "Léa" (16, fr), p4 "Noah" (13, en: cannot play the TV-MA
 *   tt00003), p5 "Kids" (kids, 7, en: can play the TV-Y tt00002, not the PG-13 tt00001).
 * - `acct-0002` … `acct-0004` have at least 2 profiles each.
 * - History: acct-0001-p1 has tt00001, tt00002, tt00003 (newest tt00003), all in progress, so "Continue
 *   watching" has a row; acct-0001-p5 has tt00002; acct-0002-p1 has tt00001 and tt00004.
 *
 * Generated accounts: 1 profile in about a quarter of them, 5 in one in ten; the first profile's name is
 * the account holder's; about 30 % of accounts with two or more profiles end with a "Kids" profile.
 * Languages follow the household (mostly en; es, es-419, fr, de, pt-BR, ja, it, ko); adults are mostly
 * maturity 18, some 16 or 13; kids profiles are 7, some 0.
 */

/** 2026-01-01T00:00:00Z: every seeded timestamp is this plus a deterministic offset. */
export const SEED_EPOCH_MS = Date.UTC(2026, 0, 1);
export const SEED_ACCOUNT_COUNT = 1000;
/** Account ids have four digits. */
export const MAX_SEED_ACCOUNT_COUNT = 9999;

export interface SeedProfile {
  profile: Profile;
  /** Oldest first: the order to record it in, so the last entry is the most recent. */
  history: ViewingHistoryEntry[];
}

export interface SeedAccount {
  accountId: string;
  /** In creation order: profile i has id `<accountId>-p<i+1>`. */
  profiles: SeedProfile[];
}

export interface SeedSummary {
  accounts: number;
  profiles: number;
  historyEntries: number;
}

export function formatAccountId(n: number): string {
  return `acct-${String(n).padStart(4, '0')}`;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** Seeded history is recorded from 2026-04-01, after every seeded profile was created (≤ 64 days in). */
const HISTORY_START_MS = SEED_EPOCH_MS + 90 * DAY_MS;

const FIRST_NAMES: readonly string[] = Object.freeze([
  'Alex',
  'Sam',
  'Jordan',
  'Taylor',
  'Morgan',
  'Casey',
  'Jamie',
  'Riley',
  'Avery',
  'Quinn',
  'Emma',
  'Olivia',
  'Sophia',
  'Mia',
  'Isabella',
  'Charlotte',
  'Amelia',
  'Harper',
  'Ella',
  'Grace',
  'Liam',
  'Noah',
  'Oliver',
  'Elijah',
  'James',
  'Lucas',
  'Mason',
  'Ethan',
  'Henry',
  'Leo',
  'María',
  'Lucía',
  'Sofía',
  'Mateo',
  'Diego',
  'Camila',
  'Valentina',
  'Santiago',
  'Léa',
  'Chloé',
  'Louis',
  'Hugo',
  'Lukas',
  'Jonas',
  'Hannah',
  'Lena',
  'João',
  'Ana',
  'Gabriel',
  'Beatriz',
  'Yuki',
  'Haruto',
  'Sakura',
  'Ren',
  'Min-jun',
  'Ji-woo',
  'Giulia',
  'Marco',
  'Priya',
  'Arjun',
  'Fatima',
  'Omar',
  'Zoe',
  'Max',
  'Nina',
  'Theo',
  'Iris',
  'Felix',
  'Ruby',
  'Oscar',
]);

const KIDS_NAME = 'Kids';

const LANGUAGE_WEIGHTS: readonly (readonly [string, number])[] = [
  ['en', 55],
  ['es', 8],
  ['es-419', 6],
  ['pt-BR', 7],
  ['fr', 7],
  ['de', 6],
  ['ja', 4],
  ['it', 4],
  ['ko', 3],
];

const ADULT_MATURITY_WEIGHTS: readonly (readonly [MaturityLevel, number])[] = [
  [18, 80],
  [16, 10],
  [13, 10],
];

const KIDS_MATURITY_WEIGHTS: readonly (readonly [MaturityLevel, number])[] = [
  [7, 80],
  [0, 20],
];

const PROFILE_COUNT_WEIGHTS: readonly (readonly [number, number])[] = [
  [1, 25],
  [2, 30],
  [3, 20],
  [4, 15],
  [5, 10],
];

const AVATARS: readonly string[] = Object.freeze(
  Array.from({ length: 24 }, (_, i) => `avatar-${String(i + 1).padStart(2, '0')}`),
);

/** Share of accounts with at least two profiles whose last profile is a kids profile. */
const KIDS_PROFILE_RATE = 0.3;
/** Share of further adults who prefer another language than the household's. */
const OTHER_LANGUAGE_RATE = 0.2;

interface ProfileSpec {
  name: string;
  maturityLevel: MaturityLevel;
  kids: boolean;
  language: string;
  avatar: string;
  /** Days after the account's first profile. */
  createdAfterDays: number;
}

const ACCT_0001: readonly ProfileSpec[] = [
  { name: 'Alex', maturityLevel: 18, kids: false, language: 'en', avatar: 'avatar-01', createdAfterDays: 0 },
  { name: 'María', maturityLevel: 18, kids: false, language: 'es', avatar: 'avatar-02', createdAfterDays: 1 },
  { name: 'Léa', maturityLevel: 16, kids: false, language: 'fr', avatar: 'avatar-03', createdAfterDays: 2 },
  { name: 'Noah', maturityLevel: 13, kids: false, language: 'en', avatar: 'avatar-04', createdAfterDays: 3 },
  { name: KIDS_NAME, maturityLevel: 7, kids: true, language: 'en', avatar: 'avatar-05', createdAfterDays: 5 },
];

/**
 * Runtimes of the catalog's fixed fixture titles, in seconds (catalog seed: tt00001 124 min, tt00002
 * 22 min, tt00003 52 min, tt00004 112 min). The store does not know runtimes; these only make the seeded
 * entries believable, and every seeded position stays under 20 minutes, inside any of them.
 */
const FIXTURE_RUNTIMES: Readonly<Record<string, number>> = {
  tt00001: 124 * 60,
  tt00002: 22 * 60,
  tt00003: 52 * 60,
  tt00004: 112 * 60,
};

/** profile id → [title id, position seconds, hours after HISTORY_START], oldest first. */
const HISTORY_FIXTURES: Readonly<Record<string, readonly (readonly [string, number, number])[]>> = {
  'acct-0001-p1': [
    ['tt00001', 1080, 0],
    ['tt00002', 600, 26],
    ['tt00003', 1140, 50],
  ],
  'acct-0001-p5': [['tt00002', 900, 20]],
  'acct-0002-p1': [
    ['tt00001', 300, 3],
    ['tt00004', 1020, 30],
  ],
};

function generatedSpecs(accountNumber: number, rng: SeededRandom): ProfileSpec[] {
  // acct-0002 … acct-0004 are fixtures with at least two profiles (plans and stream limits are tested on
  // them, with more than one viewer).
  const count = accountNumber <= 4 ? rng.int(2, 5) : rng.weighted(PROFILE_COUNT_WEIGHTS);
  const withKids = count >= 2 && rng.chance(KIDS_PROFILE_RATE);
  const adults = withKids ? count - 1 : count;
  const names = rng.sample(FIRST_NAMES, adults);
  const avatars = rng.sample(AVATARS, count);
  const household = rng.weighted(LANGUAGE_WEIGHTS);
  const specs: ProfileSpec[] = [];
  let day = 0;
  for (let i = 0; i < count; i++) {
    const kids = withKids && i === count - 1;
    // Draw every choice for every profile, whatever the outcome, so one decision never shifts the next.
    const otherLanguage = rng.chance(OTHER_LANGUAGE_RATE);
    const language = rng.weighted(LANGUAGE_WEIGHTS);
    const adultLevel = rng.weighted(ADULT_MATURITY_WEIGHTS);
    const kidsLevel = rng.weighted(KIDS_MATURITY_WEIGHTS);
    const gap = rng.int(1, 14);
    if (i > 0) day += gap;
    specs.push({
      name: kids ? KIDS_NAME : names[i]!,
      // The account holder is an adult who watches everything; others and the kids vary.
      maturityLevel: kids ? kidsLevel : i === 0 ? 18 : adultLevel,
      kids,
      language: i > 0 && !kids && otherLanguage ? language : household,
      avatar: avatars[i]!,
      createdAfterDays: day,
    });
  }
  return specs;
}

function generateAccount(accountNumber: number): SeedAccount {
  const accountId = formatAccountId(accountNumber);
  const rng = new SeededRandom(`profiles:${accountId}`);
  const specs = accountNumber === 1 ? ACCT_0001 : generatedSpecs(accountNumber, rng);
  // Accounts signed up ten minutes apart from the epoch on, in id order.
  const signUpMs = SEED_EPOCH_MS + (accountNumber - 1) * 10 * MINUTE_MS;
  const profiles = specs.map((spec, index): SeedProfile => {
    const profileId = `${accountId}-p${index + 1}`;
    const createTime = new Date(signUpMs + spec.createdAfterDays * DAY_MS + (index === 0 ? 0 : 37 * MINUTE_MS));
    const history = (HISTORY_FIXTURES[profileId] ?? []).map(([titleId, positionSeconds, hours]) => {
      const runtimeSeconds = FIXTURE_RUNTIMES[titleId]!;
      return {
        titleId,
        positionSeconds,
        runtimeSeconds,
        completed: isCompleted(positionSeconds, runtimeSeconds),
        watchedAt: new Date(HISTORY_START_MS + hours * 60 * MINUTE_MS),
      };
    });
    return {
      profile: {
        profileId,
        accountId,
        name: spec.name,
        maturityLevel: spec.maturityLevel,
        kids: spec.kids,
        language: spec.language,
        avatar: spec.avatar,
        createTime,
        updateTime: new Date(createTime),
      },
      history,
    };
  });
  return { accountId, profiles };
}

/** The seed as data: `count` accounts from acct-0001 on, fresh objects on every call. */
export function generateSeedAccounts(count: number = SEED_ACCOUNT_COUNT): SeedAccount[] {
  if (!Number.isInteger(count) || count < 0 || count > MAX_SEED_ACCOUNT_COUNT) {
    throw new RangeError(`count must be an integer in 0..${MAX_SEED_ACCOUNT_COUNT}, got ${count}`);
  }
  return Array.from({ length: count }, (_, i) => generateAccount(i + 1));
}

/**
 * Fills `store` with the seed through the ProfileStore interface only, so any implementation is seeded
 * the same way (a database store calls it once, when it finds itself empty). Expects a store without these
 * accounts and throws at the first one it already has; it also checks that the store assigned each
 * profile the seed's id and throws otherwise, rather than leave ids other services rely on pointing at
 * the wrong profile.
 */
export async function seedProfiles(store: ProfileStore, count: number = SEED_ACCOUNT_COUNT): Promise<SeedSummary> {
  const summary: SeedSummary = { accounts: 0, profiles: 0, historyEntries: 0 };
  for (const account of generateSeedAccounts(count)) {
    if (await store.accountExists(account.accountId)) {
      throw new Error(`seed: account "${account.accountId}" already exists; seed an empty store`);
    }
    await store.addAccount(account.accountId);
    summary.accounts++;
    for (const { profile, history } of account.profiles) {
      const created = await store.createProfile(
        {
          accountId: profile.accountId,
          name: profile.name,
          maturityLevel: profile.maturityLevel,
          kids: profile.kids,
          language: profile.language,
          avatar: profile.avatar,
          createTime: profile.createTime,
        },
        { maxPerAccount: MAX_PROFILES_PER_ACCOUNT },
      );
      if (created.profileId !== profile.profileId) {
        throw new Error(
          `seed: the store assigned "${created.profileId}" where the seed expects "${profile.profileId}"; ` +
            'seed an empty store',
        );
      }
      summary.profiles++;
      for (const entry of history) {
        await store.recordProgress(profile.profileId, entry);
        summary.historyEntries++;
      }
    }
  }
  return summary;
}
