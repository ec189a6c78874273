import type { Clock } from '@streamplane/platform/clock';
import { InvalidArgumentError } from '@streamplane/platform/errors';
import { decodePageToken, encodePageToken, paginate } from '@streamplane/platform/paging';
import {
  DEFAULT_ADULT_MATURITY_LEVEL,
  DEFAULT_KIDS_MATURITY_LEVEL,
  MAX_PROFILES_PER_ACCOUNT,
  checkKidsMaturity,
  isCompleted,
  normalizeAvatar,
  normalizeLanguage,
  normalizeName,
  requireMaturityLevel,
} from './profile';
import type { Profile, ViewingHistoryEntry } from './profile';
import type { ProfileChanges, ProfileStore } from './store';
import { quoted } from './util';

/**
 * The profiles service's rules that are not storage: validation and normalisation of every field,
 * defaults, update-mask semantics, viewing-progress checks and paging. Everything that spans rows (the
 * limit of 5, unique names, id assignment, one history entry per title) is the store's, enforced
 * atomically there (see store.ts); this class never reads, decides and then writes.
 *
 * The api layer has checked the ids (profile_id, account_id, title_id) before a call gets here, maps proto
 * requests onto these methods and the thrown domain errors onto status codes; errors name the proto field
 * (name, maturity_level, kids, language, avatar, update_mask, position_seconds, page_size, page_token).
 */

/** The page size when a client leaves page_size unset (proto: 20). */
export const DEFAULT_PAGE_SIZE = 20;
/** Largest page_size the proto allows. */
export const MAX_PAGE_SIZE = 100;

/** The mutable fields, as update_mask paths (proto field names), in proto order. */
export const MUTABLE_FIELDS = Object.freeze(['name', 'maturity_level', 'kids', 'language', 'avatar'] as const);
export type MutableField = (typeof MUTABLE_FIELDS)[number];
/** Fields of Profile that exist but cannot be updated. */
const OUTPUT_ONLY_FIELDS: ReadonlySet<string> = new Set(['profile_id', 'account_id', 'create_time', 'update_time']);

export interface CreateProfileInput {
  accountId: string;
  name: string;
  /** Undefined: 7 for a kids profile, 18 otherwise. */
  maturityLevel?: number | undefined;
  /** Undefined: false. */
  kids?: boolean | undefined;
  /** '' or undefined: "en". */
  language?: string | undefined;
  /** '' or undefined: the default avatar. */
  avatar?: string | undefined;
}

/**
 * New values for UpdateProfile; only the fields the mask names are read. A named field left undefined
 * counts as its proto default ('' / 0 / false), exactly as an unset field of the request's Profile
 * message does: a mask is a statement about which fields to replace, not about which were sent.
 */
export interface ProfileUpdate {
  name?: string | undefined;
  maturityLevel?: number | undefined;
  kids?: boolean | undefined;
  language?: string | undefined;
  avatar?: string | undefined;
}

export interface ViewingHistoryPage {
  entries: ViewingHistoryEntry[];
  /** '' on the last page. */
  nextPageToken: string;
}

export interface ProfilesPage {
  profiles: Profile[];
  /** '' on the last page. */
  nextPageToken: string;
}

export interface ProfilesDomainOptions {
  /** Source of create_time, update_time and watched_at. */
  clock: Clock;
  /** Default MAX_PROFILES_PER_ACCOUNT (5). */
  maxProfilesPerAccount?: number;
}

export class ProfilesDomain {
  private readonly clock: Clock;
  private readonly maxProfilesPerAccount: number;

  constructor(
    private readonly store: ProfileStore,
    options: ProfilesDomainOptions,
  ) {
    this.clock = options.clock;
    this.maxProfilesPerAccount = options.maxProfilesPerAccount ?? MAX_PROFILES_PER_ACCOUNT;
  }

  /** NotFoundError('profile') when unknown. */
  async getProfile(profileId: string): Promise<Profile> {
    return this.store.getProfile(profileId);
  }

  /**
   * The account's profiles in creation order, paged (an account has at most 5, but the proto pages every
   * list). Tokens are bound to the account. NotFoundError('account') when unknown.
   */
  async listProfiles(accountId: string, pageSize?: number, pageToken = ''): Promise<ProfilesPage> {
    const size = requirePageSize(pageSize);
    const fingerprint = `profiles:${accountId}`;
    decodePageToken(pageToken, fingerprint); // a bad token fails before any I/O
    const page = paginate(await this.store.listProfiles(accountId), { pageSize: size, pageToken }, fingerprint);
    return { profiles: page.items, nextPageToken: page.nextPageToken };
  }

  /**
   * Validates, applies defaults (maturity 7 for kids and 18 otherwise, language "en", default avatar) and
   * creates. Field errors first (InvalidArgumentError), then the store's: NotFoundError('account'),
   * FailedPreconditionError at 5 profiles, AlreadyExistsError for a taken name.
   */
  async createProfile(input: CreateProfileInput): Promise<Profile> {
    const name = normalizeName(input.name);
    const kids = input.kids ?? false;
    const maturityLevel =
      input.maturityLevel === undefined
        ? kids
          ? DEFAULT_KIDS_MATURITY_LEVEL
          : DEFAULT_ADULT_MATURITY_LEVEL
        : requireMaturityLevel(input.maturityLevel);
    checkKidsMaturity(kids, maturityLevel, 'maturity_level');
    const language = normalizeLanguage(input.language ?? '');
    const avatar = normalizeAvatar(input.avatar ?? '');
    return this.store.createProfile(
      { accountId: input.accountId, name, maturityLevel, kids, language, avatar, createTime: this.clock.now() },
      { maxPerAccount: this.maxProfilesPerAccount },
    );
  }

  /**
   * Replaces the fields `mask` names with their values in `changes` (see ProfileUpdate) and returns the
   * profile. Mask paths are proto field names; an empty mask or ["*"] means every mutable field (AIP-134).
   * A language set to '' becomes "en" and an avatar set to '' the default avatar, as on create.
   *
   * Errors: InvalidArgumentError('update_mask', …) for an unknown or output-only path or "*" next to other
   * paths; field errors as on create, including a kids profile above maturity level 7 after the merge;
   * NotFoundError('profile'); AlreadyExistsError for a name another profile of the account has.
   */
  async updateProfile(profileId: string, changes: ProfileUpdate, mask: readonly string[]): Promise<Profile> {
    const fields = resolveUpdateMask(mask);
    const update: ProfileChanges = {};
    if (fields.has('name')) update.name = normalizeName(changes.name ?? '');
    if (fields.has('maturity_level')) update.maturityLevel = requireMaturityLevel(changes.maturityLevel ?? 0);
    if (fields.has('kids')) update.kids = changes.kids ?? false;
    if (fields.has('language')) update.language = normalizeLanguage(changes.language ?? '');
    if (fields.has('avatar')) update.avatar = normalizeAvatar(changes.avatar ?? '');
    // When both are in the request the rule can be checked before any I/O; when only one is, the store
    // checks it against the row it is about to write (the other value may be changing concurrently).
    if (update.kids !== undefined && update.maturityLevel !== undefined) {
      checkKidsMaturity(update.kids, update.maturityLevel, 'maturity_level');
    }
    return this.store.updateProfile(profileId, update, this.clock.now());
  }

  /** Deletes the profile and its history. NotFoundError('profile') when unknown (also the second time). */
  async deleteProfile(profileId: string): Promise<void> {
    await this.store.deleteProfile(profileId);
  }

  /**
   * Records that the profile watched `titleId` up to `positionSeconds`. `titleRuntimeSeconds` is the
   * title's runtime, which the application gets from catalog (which also decides whether the title
   * exists): profiles does not own titles. The entry replaces the title's earlier one and becomes the most recent;
   * it is completed from 95 % of the runtime on.
   *
   * Errors: InvalidArgumentError for position_seconds (not a whole number, negative, or beyond the
   * runtime); NotFoundError('profile').
   */
  async recordViewingProgress(
    profileId: string,
    titleId: string,
    positionSeconds: number,
    titleRuntimeSeconds: number,
  ): Promise<ViewingHistoryEntry> {
    // The runtime is the server's own fact (from catalog), not the client's: a bad one is a bug, not a
    // client error, so it is not reported as INVALID_ARGUMENT.
    if (!Number.isSafeInteger(titleRuntimeSeconds) || titleRuntimeSeconds < 0) {
      throw new RangeError(`titleRuntimeSeconds must be a non-negative integer, got ${titleRuntimeSeconds}`);
    }
    if (!Number.isInteger(positionSeconds)) {
      throw new InvalidArgumentError('position_seconds', `must be a whole number of seconds, got ${positionSeconds}`);
    }
    if (positionSeconds < 0) {
      throw new InvalidArgumentError('position_seconds', `must not be negative, got ${positionSeconds}`);
    }
    if (positionSeconds > titleRuntimeSeconds) {
      throw new InvalidArgumentError(
        'position_seconds',
        `must be at most the runtime of title ${quoted(titleId)} (${titleRuntimeSeconds} seconds), got ${positionSeconds}`,
      );
    }
    return this.store.recordProgress(profileId, {
      titleId,
      positionSeconds,
      runtimeSeconds: titleRuntimeSeconds,
      completed: isCompleted(positionSeconds, titleRuntimeSeconds),
      watchedAt: this.clock.now(),
    });
  }

  /**
   * One page of the profile's history, most recent first. Tokens are opaque, offset-based and bound to the
   * profile id (a token of another profile is InvalidArgumentError('page_token', …); ids are never reused,
   * so a token cannot outlive its profile into a new one). Offsets count from the newest entry, so a walk
   * while the profile keeps watching may show an entry twice or miss one that moved to the top; a
   * history page is a view of a moving list, and a second walk sees the new state.
   */
  async viewingHistory(profileId: string, pageSize?: number, pageToken = ''): Promise<ViewingHistoryPage> {
    const size = requirePageSize(pageSize);
    const fingerprint = `history:${profileId}`;
    const offset = decodePageToken(pageToken, fingerprint);
    // One more than a page tells whether another page follows, without counting the whole history.
    const entries = await this.store.history(profileId, offset, size + 1);
    const more = entries.length > size;
    return {
      entries: more ? entries.slice(0, size) : entries,
      nextPageToken: more ? encodePageToken(offset + size, fingerprint) : '',
    };
  }
}

/**
 * The mutable fields an update_mask names. Empty or ["*"] = all of them; duplicates are harmless.
 * InvalidArgumentError('update_mask', …) for an unknown path, an output-only one, or "*" with others.
 */
export function resolveUpdateMask(mask: readonly string[]): ReadonlySet<MutableField> {
  if (mask.length === 0) return new Set(MUTABLE_FIELDS);
  if (mask.includes('*')) {
    if (mask.some((path) => path !== '*')) {
      throw new InvalidArgumentError('update_mask', '"*" must be the only path when present');
    }
    return new Set(MUTABLE_FIELDS);
  }
  const fields = new Set<MutableField>();
  for (const path of mask) {
    if ((MUTABLE_FIELDS as readonly string[]).includes(path)) fields.add(path as MutableField);
    else if (OUTPUT_ONLY_FIELDS.has(path))
      throw new InvalidArgumentError('update_mask', `field "${path}" is not mutable`);
    else throw new InvalidArgumentError('update_mask', `unknown field ${quoted(path)}`);
  }
  return fields;
}

/** undefined → DEFAULT_PAGE_SIZE; otherwise an integer in 1..MAX_PAGE_SIZE. */
function requirePageSize(pageSize: number | undefined): number {
  if (pageSize === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new InvalidArgumentError('page_size', `must be between 1 and ${MAX_PAGE_SIZE}, got ${pageSize}`);
  }
  return pageSize;
}
