import {
  getTrack,
  listTracks,
  parseTrackId,
  type ListTracksRequest,
  type ListTracksResponse,
  type SubtitleTrackWithContent,
} from '../domain';
import type { CatalogTitles } from './ports';

/**
 * ListTracks and GetTrack: each looks the title up in catalog (which decides whether it exists), then the
 * domain generates its tracks from the title's facts.
 */
export class SubtitleTracks {
  constructor(private readonly titles: CatalogTitles) {}

  /** One page of the title's tracks; the title's NOT_FOUND and catalog's UNAVAILABLE as the port reports them. */
  async list(titleId: string, request: ListTracksRequest): Promise<ListTracksResponse> {
    return listTracks(await this.titles.get(titleId), request);
  }

  /**
   * The track with its WebVTT content. The id names its title: a malformed one is INVALID_ARGUMENT without
   * a trip to catalog; a track the title does not have is NOT_FOUND.
   */
  async get(trackId: string): Promise<SubtitleTrackWithContent> {
    const title = await this.titles.get(parseTrackId(trackId).titleId);
    return getTrack(trackId, title);
  }
}
