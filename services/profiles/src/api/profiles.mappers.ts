import { toTimestamp } from '@streamplane/platform';
import type {
  GetViewingHistoryResponse__Input,
  ListProfilesResponse__Input,
  Profile as ProfileMessage,
  Profile__Input,
  RecordViewingProgressResponse__Input,
  ViewingHistoryEntry__Input,
} from '@streamplane/contracts/profiles/v1';
import type { Profile, ProfilesPage, ProfileUpdate, ViewingHistoryEntry, ViewingHistoryPage } from '../domain';

/** Mapping between streamplane.profiles.v1 messages and the profiles domain. */

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

export function toListProfilesResponse(page: ProfilesPage): ListProfilesResponse__Input {
  return { profiles: page.profiles.map(toProfileMessage), next_page_token: page.nextPageToken };
}

export function toRecordViewingProgressResponse(entry: ViewingHistoryEntry): RecordViewingProgressResponse__Input {
  return { entry: toHistoryEntryMessage(entry) };
}

export function toViewingHistoryResponse(page: ViewingHistoryPage): GetViewingHistoryResponse__Input {
  return { entries: page.entries.map(toHistoryEntryMessage), next_page_token: page.nextPageToken };
}

/** The new values an UpdateProfile request carries; which of them apply is the update mask's to say. */
export function toProfileUpdate(profile: ProfileMessage | null | undefined): ProfileUpdate {
  return {
    name: profile?.name,
    maturityLevel: profile?.maturity_level,
    kids: profile?.kids,
    language: profile?.language,
    avatar: profile?.avatar,
  };
}
