import type { ServiceDefinitions } from '@streamplane/contracts';
import type { ViewingHistoryEntry } from '@streamplane/contracts/profiles/v1';
import { Injectable } from '@nestjs/common';
import { fromTimestamp, ServiceClients } from '@streamplane/platform';
import type { ProfileDirectory, ProfileFacts } from '../application/ports';
import type { WatchedTitle } from '../domain';

/** ProfileDirectory over profiles' gRPC API; profiles is declared degrade(PERSONALISATION). */
@Injectable()
export class ProfilesClient implements ProfileDirectory {
  constructor(private readonly clients: ServiceClients<ServiceDefinitions>) {}

  async profile(profileId: string): Promise<ProfileFacts | undefined> {
    const profile = await this.clients.get('profiles').optional('GetProfile', { profile_id: profileId });
    return profile && { maturityLevel: profile.maturity_level };
  }

  async viewingHistory(profileId: string, entries: number): Promise<WatchedTitle[] | undefined> {
    const history = await this.clients
      .get('profiles')
      .optional('GetViewingHistory', { profile_id: profileId, page_size: entries });
    return history?.entries.map(toWatchedTitle);
  }
}

function toWatchedTitle(entry: ViewingHistoryEntry): WatchedTitle {
  return {
    titleId: entry.title_id,
    positionSeconds: entry.position_seconds,
    completed: entry.completed,
    watchedAtMs: fromTimestamp(entry.watched_at).getTime(),
  };
}
