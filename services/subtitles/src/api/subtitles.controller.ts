import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { boundedList, optionalText, pageSize, requireId, requireText } from '@streamplane/platform';
import type {
  GetTrackRequest,
  ListTracksRequest,
  ListTracksResponse__Input,
  SubtitleTrack__Input,
} from '@streamplane/contracts/subtitles/v1';
import { SubtitleTracks } from '../application/subtitle-tracks';
import { DEFAULT_PAGE_SIZE, MAX_LANGUAGE_FILTERS, MAX_PAGE_SIZE } from '../domain';
import { toListTracksResponse, toTrackWithContentMessage } from './subtitles.mappers';
import { requireLanguageTag } from './subtitles.validation';

const MAX_TRACK_ID_LENGTH = 128;
const MAX_PAGE_TOKEN_LENGTH = 1024;

/**
 * streamplane.subtitles.v1.SubtitlesService: checks each request, once, before catalog is asked anything;
 * asks the application; maps the answer.
 */
@Controller()
export class SubtitlesController {
  constructor(private readonly tracks: SubtitleTracks) {}

  @GrpcMethod('SubtitlesService', 'ListTracks')
  async listTracks(request: ListTracksRequest): Promise<ListTracksResponse__Input> {
    const titleId = requireId(request.title_id, 'title_id');
    const languages = boundedList(request.languages, 'languages', { max: MAX_LANGUAGE_FILTERS }, requireLanguageTag);
    const size = pageSize(request.page_size, 'page_size', { defaultSize: DEFAULT_PAGE_SIZE, max: MAX_PAGE_SIZE });
    const pageToken = optionalText(request.page_token, 'page_token', MAX_PAGE_TOKEN_LENGTH);
    return toListTracksResponse(await this.tracks.list(titleId, { languages, pageSize: size, pageToken }));
  }

  @GrpcMethod('SubtitlesService', 'GetTrack')
  async getTrack(request: GetTrackRequest): Promise<SubtitleTrack__Input> {
    const trackId = requireText(request.track_id, 'track_id', MAX_TRACK_ID_LENGTH);
    return toTrackWithContentMessage(await this.tracks.get(trackId));
  }
}
