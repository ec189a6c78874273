import { NotFoundError } from '@streamplane/platform/errors';
import {
  checkKidsMaturity,
  DEFAULT_HISTORY_CAP,
  mergeProfileChanges,
  nameKey,
  profileLimitReached,
  profileNameTaken,
  requireHistoryWindow,
} from '../domain';
import type {
  Profile,
  ProfileChanges,
  ProfileDraft,
  ProfileLimits,
  ProfileStore,
  ViewingHistoryEntry,
} from '../domain';

/**
 * The local-default ProfileStore: a few Maps in one process.
 *
 * Atomicity: no method awaits anything between reading state and writing it, so each runs to completion
 * inside one turn of the event loop and no other call can interleave (the check-then-insert of
 * createProfile included). Whoever changes this class must keep it that way, or the profile limit and
 * unique names stop holding under concurrent calls; the tests race creates through Promise.all to notice.
 *
 * Cost per call: get, create, update, delete and recordProgress are O(1) Map operations (plus O(5) for
 * the account's list of ids); listProfiles is O(profiles of the account); history is O(limit), plus one
 * O(entries) rebuild of the newest-first view after each write to that profile's history (entries are at
 * most the history cap).
 */
export class InMemoryProfileStore implements ProfileStore {
  private readonly accounts = new Map<string, AccountState>();
  private readonly profiles = new Map<string, ProfileState>();
  private readonly historyCap: number;

  constructor(options: { historyCap?: number } = {}) {
    const cap = options.historyCap ?? DEFAULT_HISTORY_CAP;
    if (!Number.isSafeInteger(cap) || cap < 1)
      throw new RangeError(`historyCap must be a positive integer, got ${cap}`);
    this.historyCap = cap;
  }

  async addAccount(accountId: string): Promise<void> {
    if (!this.accounts.has(accountId)) {
      this.accounts.set(accountId, { nextNumber: 1, profileIds: [], names: new Map() });
    }
  }

  async accountExists(accountId: string): Promise<boolean> {
    return this.accounts.has(accountId);
  }

  async getProfile(profileId: string): Promise<Profile> {
    return cloneProfile(this.requireProfile(profileId).profile);
  }

  async listProfiles(accountId: string): Promise<Profile[]> {
    const account = this.requireAccount(accountId);
    return account.profileIds.map((id) => cloneProfile(this.profiles.get(id)!.profile));
  }

  async createProfile(draft: ProfileDraft, limits: ProfileLimits): Promise<Profile> {
    const account = this.requireAccount(draft.accountId);
    if (account.profileIds.length >= limits.maxPerAccount) {
      throw profileLimitReached(draft.accountId, account.profileIds.length, limits);
    }
    const key = nameKey(draft.name);
    if (account.names.has(key)) throw profileNameTaken(draft.accountId, draft.name);
    checkKidsMaturity(draft.kids, draft.maturityLevel, 'maturity_level');

    const profileId = `${draft.accountId}-p${account.nextNumber}`;
    const profile: Profile = {
      profileId,
      accountId: draft.accountId,
      name: draft.name,
      maturityLevel: draft.maturityLevel,
      kids: draft.kids,
      language: draft.language,
      avatar: draft.avatar,
      createTime: new Date(draft.createTime),
      updateTime: new Date(draft.createTime),
    };
    account.nextNumber++;
    account.profileIds.push(profileId);
    account.names.set(key, profileId);
    this.profiles.set(profileId, { profile, history: new Map(), newestFirst: undefined });
    return cloneProfile(profile);
  }

  async updateProfile(profileId: string, changes: ProfileChanges, updateTime: Date): Promise<Profile> {
    const state = this.requireProfile(profileId);
    const current = state.profile;
    const account = this.accounts.get(current.accountId)!;
    const { next, changed } = mergeProfileChanges(current, changes, updateTime);
    const oldKey = nameKey(current.name);
    const newKey = nameKey(next.name);
    if (newKey !== oldKey && account.names.has(newKey)) throw profileNameTaken(current.accountId, next.name);
    if (!changed) return cloneProfile(current);

    if (newKey !== oldKey) {
      account.names.delete(oldKey);
      account.names.set(newKey, profileId);
    }
    state.profile = next;
    return cloneProfile(next);
  }

  async deleteProfile(profileId: string): Promise<void> {
    const state = this.requireProfile(profileId);
    const account = this.accounts.get(state.profile.accountId)!;
    account.profileIds.splice(account.profileIds.indexOf(profileId), 1);
    account.names.delete(nameKey(state.profile.name));
    // The history goes with the profile: it hangs off the profile's state.
    this.profiles.delete(profileId);
  }

  async recordProgress(profileId: string, entry: ViewingHistoryEntry): Promise<ViewingHistoryEntry> {
    const state = this.requireProfile(profileId);
    const stored = cloneEntry(entry);
    // A Map iterates in insertion order: delete + set moves the title to the end, the most recent.
    state.history.delete(stored.titleId);
    state.history.set(stored.titleId, stored);
    if (state.history.size > this.historyCap) {
      state.history.delete(state.history.keys().next().value!);
    }
    state.newestFirst = undefined;
    return cloneEntry(stored);
  }

  async history(profileId: string, offset: number, limit: number): Promise<ViewingHistoryEntry[]> {
    requireHistoryWindow(offset, limit);
    const state = this.requireProfile(profileId);
    state.newestFirst ??= [...state.history.values()].reverse();
    return state.newestFirst.slice(offset, offset + limit).map(cloneEntry);
  }

  private requireAccount(accountId: string): AccountState {
    const account = this.accounts.get(accountId);
    if (!account) throw new NotFoundError('account', accountId);
    return account;
  }

  private requireProfile(profileId: string): ProfileState {
    const state = this.profiles.get(profileId);
    if (!state) throw new NotFoundError('profile', profileId);
    return state;
  }
}

interface AccountState {
  /** Number of the next profile id; only grows, so ids of deleted profiles are never reused. */
  nextNumber: number;
  /** Profile ids in creation order. */
  profileIds: string[];
  /** nameKey(name) → profile id, for the unique-name rule. */
  names: Map<string, string>;
}

interface ProfileState {
  profile: Profile;
  /** title id → entry, in recording order (oldest first). */
  history: Map<string, ViewingHistoryEntry>;
  /** The entries newest first, built on the first read after a write; undefined = stale. */
  newestFirst: ViewingHistoryEntry[] | undefined;
}

function cloneProfile(profile: Profile): Profile {
  return { ...profile, createTime: new Date(profile.createTime), updateTime: new Date(profile.updateTime) };
}

function cloneEntry(entry: ViewingHistoryEntry): ViewingHistoryEntry {
  return { ...entry, watchedAt: new Date(entry.watchedAt) };
}
