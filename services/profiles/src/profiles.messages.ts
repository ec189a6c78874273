import { toTimestamp } from '@streamplane/platform';
import type { Profile__Input, ViewingHistoryEntry__Input } from '@streamplane/contracts/profiles/v1';
import type { Profile, ViewingHistoryEntry } from './domain';

/** Mapping from profiles domain objects to streamplane.profiles.v1 messages. */
export function toProfileMessage(profile: Profile): Profile__Input {
  return {
    profile_id: profile.profileId,
    account_id: profile.accountId,
    name: profile.name,
    maturity_level: profile.maturityLevel,
    kids: profile.kids,
    language: profile.language,
    avatar: profile.avatar,
    create_time: toTimestamp(profile.createTime),
    update_time: toTimestamp(profile.updateTime),
  };
}

export function toHistoryEntryMessage(entry: ViewingHistoryEntry): ViewingHistoryEntry__Input {
  return {
    title_id: entry.titleId,
    position_seconds: entry.positionSeconds,
    runtime_seconds: entry.runtimeSeconds,
    completed: entry.completed,
    watched_at: toTimestamp(entry.watchedAt),
  };
}
