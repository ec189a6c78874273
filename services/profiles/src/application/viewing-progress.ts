import type { ProfilesDomain, ViewingHistoryEntry } from '../domain';
import type { TitleRuntimes } from './ports';

/**
 * RecordViewingProgress: the one call of profiles that needs another service. The position is checked
 * against the title's runtime, which catalog knows; profiles stores the entry.
 */
export class ViewingProgress {
  constructor(
    private readonly profiles: ProfilesDomain,
    private readonly runtimes: TitleRuntimes,
  ) {}

  /**
   * Records that the profile watched the title up to `positionSeconds` (see
   * ProfilesDomain.recordViewingProgress). NotFoundError('profile') before catalog is asked; the title's
   * NOT_FOUND and catalog's UNAVAILABLE as the runtimes port reports them.
   */
  async record(profileId: string, titleId: string, positionSeconds: number): Promise<ViewingHistoryEntry> {
    // An unknown profile is NOT_FOUND without a trip to catalog.
    await this.profiles.getProfile(profileId);
    const runtimeSeconds = await this.runtimes.secondsOf(titleId);
    return this.profiles.recordViewingProgress(profileId, titleId, positionSeconds, runtimeSeconds);
  }
}
