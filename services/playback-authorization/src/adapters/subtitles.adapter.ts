import type { ClientOf } from '@streamplane/contracts';
import type { SubtitleTrack, SubtitleTracks } from '../application/ports';

/** Subtitle tracks listed in a grant: every track of a title fits in one page of this size. */
const SUBTITLE_PAGE_SIZE = 200;

/** Subtitles through its resilient client; declared degrade, so `optional()` answers undefined when it cannot answer. */
export class SubtitlesAdapter implements SubtitleTracks {
  constructor(private readonly client: ClientOf<'subtitles'>) {}

  async tracks(titleId: string): Promise<SubtitleTrack[] | undefined> {
    const answer = await this.client.optional('ListTracks', { title_id: titleId, page_size: SUBTITLE_PAGE_SIZE });
    return answer?.tracks;
  }
}
