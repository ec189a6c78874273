import { AlreadyExistsError, FailedPreconditionError } from '@streamplane/platform/errors';
import { checkKidsMaturity } from './profile';
import type { MaturityLevel, Profile, ViewingHistoryEntry } from './profile';
import { quoted } from './util';

/**
 * Where profiles and viewing history live: the port the domain and the seed write through. The adapters
 * implement it (src/adapters/in-memory-profile-store.ts, the local default, and
 * src/adapters/postgres-profile-store.ts); the interface is shaped by what a database does well:
 *
 * - Every method is async and every rule that spans rows is enforced INSIDE the store, atomically: the
 *   account's profile limit, unique names per account, the next profile number, the kids/maturity rule on
 *   the merged row of an update, one history entry per (profile, title). A caller never reads, decides and
 *   writes in separate steps, because two replicas racing between those steps would both win. (In SQL:
 *   one transaction per method that locks the account row; a unique index on (account_id, name_key).)
 * - The store validates nothing else: values arrive normalised by ProfilesDomain (see profile.ts).
 * - Methods return fresh objects the caller may keep or mutate without touching the store.
 * - Errors: NotFoundError('profile', id) / NotFoundError('account', id) for unknown ids;
 *   FailedPreconditionError at the profile limit; AlreadyExistsError for a taken name;
 *   InvalidArgumentError when an update would make a kids profile exceed maturity level 7.
 *
 * Profile ids: `<account id>-p<n>`, n from a per-account counter that only grows (1, 2, 3, …; the seed
 * leaves it at the number of seeded profiles). A deleted profile's id is never handed out again: other
 * services key data by profile id (playback sessions, recommendations, caches), and a new profile
 * inheriting a deleted one's id, say a kids profile inheriting an adult's, would inherit that data too.
 * Ids therefore stay unique for the life of the account, and creation order is id-number order.
 *
 * Viewing history: one entry per (profile, title); recording a title again replaces its entry and makes
 * it the most recent. Order is recording order, newest first (a database keeps a sequence number per
 * write): it equals watchedAt order whenever the clock does not step backwards, it has no ties (two
 * recordings in the same millisecond keep the order they were made in), and "recording again moves it to
 * the top" holds even across a clock step. Each profile keeps at most `historyCap` entries (1000 by
 * default, far more than a "Continue watching" row needs); recording a new title beyond it drops the
 * least recently recorded entry, so a profile's memory is bounded however long it lives.
 */
export interface ProfileStore {
  /** Registers an account (idempotent). Accounts come from the seed; profiles has no account RPCs. */
  addAccount(accountId: string): Promise<void>;

  accountExists(accountId: string): Promise<boolean>;

  /** NotFoundError('profile', id) when unknown. */
  getProfile(profileId: string): Promise<Profile>;

  /** The account's profiles in creation order. NotFoundError('account', id) when unknown. */
  listProfiles(accountId: string): Promise<Profile[]>;

  /**
   * Creates a profile with the next id of its account. Atomically: NotFoundError('account') when the
   * account is unknown; FailedPreconditionError when it already has `limits.maxPerAccount` profiles;
   * AlreadyExistsError when one of its profiles has the same name case-insensitively (see nameKey).
   * updateTime = createTime.
   */
  createProfile(draft: ProfileDraft, limits: ProfileLimits): Promise<Profile>;

  /**
   * Applies the defined fields of `changes` to the current row and returns the result. Atomically:
   * NotFoundError('profile'); AlreadyExistsError when the new name is taken by another profile of the
   * account (renaming a profile to a different spelling of its own name is allowed); InvalidArgumentError
   * when the merged row is a kids profile above maturity level 7. updateTime becomes `updateTime` (never
   * earlier than the previous one) when a value actually changes, and stays as it was otherwise.
   */
  updateProfile(profileId: string, changes: ProfileChanges, updateTime: Date): Promise<Profile>;

  /** Deletes the profile and its viewing history. NotFoundError('profile') when unknown (also the 2nd time). */
  deleteProfile(profileId: string): Promise<void>;

  /**
   * Stores `entry` as the profile's entry for entry.titleId, replacing any earlier one, as the most
   * recent. NotFoundError('profile') when unknown. Returns the entry as stored.
   */
  recordProgress(profileId: string, entry: ViewingHistoryEntry): Promise<ViewingHistoryEntry>;

  /**
   * Up to `limit` entries, most recent first, skipping the first `offset`. NotFoundError('profile') when
   * unknown. An offset past the end gives an empty list.
   */
  history(profileId: string, offset: number, limit: number): Promise<ViewingHistoryEntry[]>;
}

/** A new profile, already validated and normalised; the store adds the id (and updateTime = createTime). */
export type ProfileDraft = Omit<Profile, 'profileId' | 'updateTime'>;

/** Fields to change, already validated and normalised; undefined = keep. */
export interface ProfileChanges {
  name?: string;
  maturityLevel?: MaturityLevel;
  kids?: boolean;
  language?: string;
  avatar?: string;
}

export interface ProfileLimits {
  /** Most profiles an account may have. */
  maxPerAccount: number;
}

/** Default per-profile history cap of the stores (see ProfileStore). */
export const DEFAULT_HISTORY_CAP = 1000;

/*
 * The rules of the contract above that are not storage, so every store words and applies them alike.
 */

/** createProfile at the limit. */
export function profileLimitReached(accountId: string, count: number, limits: ProfileLimits): FailedPreconditionError {
  return new FailedPreconditionError(
    `account "${accountId}" already has ${count} profiles; the limit is ${limits.maxPerAccount} per account`,
  );
}

/** A name the account already has (compared by nameKey). */
export function profileNameTaken(accountId: string, name: string): AlreadyExistsError {
  return new AlreadyExistsError(`account "${accountId}" already has a profile named ${quoted(name)}`);
}

/**
 * The row updateProfile leaves: the defined fields of `changes` over `current`, the kids rule checked on
 * the merged row (as a CHECK constraint would: changing kids alone can break it as surely as changing
 * maturity_level alone). `changed` is false when no value differs, and then updateTime stays; otherwise it
 * becomes `updateTime`, never earlier than before, even if the clock steps back. Name uniqueness is the
 * store's to check.
 */
export function mergeProfileChanges(
  current: Profile,
  changes: ProfileChanges,
  updateTime: Date,
): { next: Profile; changed: boolean } {
  const next: Profile = {
    ...current,
    name: changes.name ?? current.name,
    maturityLevel: changes.maturityLevel ?? current.maturityLevel,
    kids: changes.kids ?? current.kids,
    language: changes.language ?? current.language,
    avatar: changes.avatar ?? current.avatar,
  };
  checkKidsMaturity(next.kids, next.maturityLevel, changes.maturityLevel !== undefined ? 'maturity_level' : 'kids');
  const changed =
    next.name !== current.name ||
    next.maturityLevel !== current.maturityLevel ||
    next.kids !== current.kids ||
    next.language !== current.language ||
    next.avatar !== current.avatar;
  next.updateTime = changed
    ? new Date(Math.max(updateTime.getTime(), current.updateTime.getTime()))
    : current.updateTime;
  return { next, changed };
}

/** history()'s offset and limit are the caller's arithmetic: a negative one is a programming error. */
export function requireHistoryWindow(offset: number, limit: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`offset must be ≥ 0, got ${offset}`);
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be ≥ 0, got ${limit}`);
}
