import { InvalidArgumentError } from '@streamplane/platform/errors';
import type { ListTracksRequest } from '@streamplane/contracts/subtitles/v1';
import { expectRejects } from '@streamplane/testkit';
import { SubtitlesController } from '../../src/api/subtitles.controller';
import type { CatalogTitles } from '../../src/application/ports';
import { SubtitleTracks } from '../../src/application/subtitle-tracks';
import { MAX_PAGE_SIZE, tracksForTitle, type TitleFacts } from '../../src/domain';

/**
 * The controller in process, over the application and a catalog port that counts its calls: requests are
 * checked here, once, before catalog is asked anything.
 */
describe('SubtitlesController', () => {
  let asked: string[];
  let controller: SubtitlesController;

  beforeEach(() => {
    asked = [];
    const titles: CatalogTitles = {
      get: async (titleId): Promise<TitleFacts> => {
        asked.push(titleId);
        return { titleId, name: `Title ${titleId}`, runtimeMinutes: 95 };
      },
    };
    controller = new SubtitlesController(new SubtitleTracks(titles));
  });

  const listing = (fields: Partial<ListTracksRequest>): ListTracksRequest => ({
    title_id: 'tt00001',
    languages: [],
    page_token: '',
    ...fields,
  });

  it('rejects a malformed language naming its position', async () => {
    const error = await expectRejects(
      controller.listTracks(listing({ languages: ['en', 'english!'] })),
      InvalidArgumentError,
      'languages[1]',
      'english!',
      'BCP-47',
    );
    expect((error as InvalidArgumentError).field).toBe('languages[1]');
    await expectRejects(controller.listTracks(listing({ languages: [''] })), InvalidArgumentError, 'languages[0]');
    await expectRejects(
      controller.listTracks(listing({ languages: Array(51).fill('en') })),
      InvalidArgumentError,
      'languages',
    );
    expect(asked).toEqual([]);
  });

  it.each([0, -1, 1.5, MAX_PAGE_SIZE + 1])('rejects page_size %d', async (pageSize) => {
    await expectRejects(controller.listTracks(listing({ page_size: pageSize })), InvalidArgumentError, 'page_size');
    expect(asked).toEqual([]);
  });

  it('maps the listed tracks to messages without content', async () => {
    const { tracks, next_page_token } = await controller.listTracks(listing({ languages: ['EN'] }));
    const english = tracksForTitle('tt00001').filter((track) => track.language === 'en');
    expect(tracks).toEqual(
      english.map((track) => ({
        track_id: track.trackId,
        title_id: 'tt00001',
        language: 'en',
        kind: `TRACK_KIND_${track.kind}`,
        label: track.label,
        format: 'text/vtt',
        content: '',
      })),
    );
    expect(next_page_token).toBe('');
    expect(asked).toEqual(['tt00001']);
  });

  it('maps a track with its content', async () => {
    const track = await controller.getTrack({ track_id: 'tt00001-en-cc' });
    expect(track).toMatchObject({
      track_id: 'tt00001-en-cc',
      kind: 'TRACK_KIND_CLOSED_CAPTIONS',
      label: 'English [CC]',
    });
    expect(track.content?.startsWith('WEBVTT\n\n')).toBe(true);
    expect(asked).toEqual(['tt00001']);
  });
});
