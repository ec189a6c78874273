import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { boundedList, optionalText, pageSize, requireId, requireText } from '@streamplane/platform';
import type {
  GetTrackRequest,
  ListTracksRequest,
  ListTracksResponse__Input,
  SubtitleTrack__Input,
} from '@streamplane/contracts/subtitles/v1';
import { CatalogTitles } from './catalog-titles';
import {
  DEFAULT_PAGE_SIZE,
  getTrack,
  listTracks,
  MAX_LANGUAGE_FILTERS,
  MAX_PAGE_SIZE,
  parseTrackId,
  type SubtitleTrack,
} from './domain';

const MAX_LANGUAGE_TAG_LENGTH = 64;
const MAX_TRACK_ID_LENGTH = 128;

function toTrackMessage(track: SubtitleTrack, content = ''): SubtitleTrack__Input {
  return {
    track_id: track.trackId,
    title_id: track.titleId,
    language: track.language,
    kind: `TRACK_KIND_${track.kind}`,
    label: track.label,
    format: track.format,
    content,
  };
}

/** streamplane.subtitles.v1.SubtitlesService: validates, looks the title up in catalog, asks the domain. */
@Controller()
export class SubtitlesController {
  constructor(private readonly titles: CatalogTitles) {}

  @GrpcMethod('SubtitlesService', 'ListTracks')
  async listTracks(request: ListTracksRequest): Promise<ListTracksResponse__Input> {
    const titleId = requireId(request.title_id, 'title_id');
    const languages = boundedList(request.languages, 'languages', { max: MAX_LANGUAGE_FILTERS }, (value, field) =>
      requireText(value, field, MAX_LANGUAGE_TAG_LENGTH),
    );
    const size = pageSize(request.page_size, 'page_size', { defaultSize: DEFAULT_PAGE_SIZE, max: MAX_PAGE_SIZE });
    const pageToken = optionalText(request.page_token, 'page_token', 1024);
    const title = await this.titles.get(titleId);
    const page = listTracks(title, { languages, pageSize: size, pageToken });
    return { tracks: page.tracks.map((track) => toTrackMessage(track)), next_page_token: page.nextPageToken };
  }

  @GrpcMethod('SubtitlesService', 'GetTrack')
  async getTrack(request: GetTrackRequest): Promise<SubtitleTrack__Input> {
    const trackId = requireText(request.track_id, 'track_id', MAX_TRACK_ID_LENGTH);
    const title = await this.titles.get(parseTrackId(trackId).titleId);
    const track = getTrack(trackId, title);
    return toTrackMessage(track, track.content);
  }
}
