import type { ListTracksResponse__Input, SubtitleTrack__Input } from '@streamplane/contracts/subtitles/v1';
import type { ListTracksResponse, SubtitleTrack, SubtitleTrackWithContent } from '../domain';

/** Mapping from subtitles domain objects to streamplane.subtitles.v1 messages. */

/** A track as ListTracks lists it: without content. */
export function toTrackMessage(track: SubtitleTrack): SubtitleTrack__Input {
  return {
    track_id: track.trackId,
    title_id: track.titleId,
    language: track.language,
    kind: `TRACK_KIND_${track.kind}`,
    label: track.label,
    format: track.format,
    content: '',
  };
}

/** A track as GetTrack returns it: with its WebVTT document. */
export function toTrackWithContentMessage(track: SubtitleTrackWithContent): SubtitleTrack__Input {
  return { ...toTrackMessage(track), content: track.content };
}

export function toListTracksResponse(page: ListTracksResponse): ListTracksResponse__Input {
  return { tracks: page.tracks.map(toTrackMessage), next_page_token: page.nextPageToken };
}
