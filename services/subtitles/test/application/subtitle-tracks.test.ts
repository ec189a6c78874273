import { status } from '@grpc/grpc-js';
import { statusError } from '@streamplane/platform';
import { InvalidArgumentError, NotFoundError, UnavailableError } from '@streamplane/platform/errors';
import { expectRejects } from '@streamplane/testkit';
import type { CatalogTitles } from '../../src/application/ports';
import { SubtitleTracks } from '../../src/application/subtitle-tracks';
import { getTrack, tracksForTitle, validateWebVtt, type TitleFacts } from '../../src/domain';

/** A CatalogTitles port that answers from a table, or with `failure` when one is set; counts the calls. */
class FakeCatalogTitles implements CatalogTitles {
  readonly asked: string[] = [];
  failure: Error | undefined;

  constructor(private readonly titles: readonly TitleFacts[]) {}

  async get(titleId: string): Promise<TitleFacts> {
    this.asked.push(titleId);
    if (this.failure) throw this.failure;
    const title = this.titles.find((candidate) => candidate.titleId === titleId);
    if (!title) throw new NotFoundError('title', titleId);
    return title;
  }
}

const FILM: TitleFacts = { titleId: 'tt00001', name: 'The Long Night', runtimeMinutes: 124 };
const SHORT: TitleFacts = { titleId: 'tt00002', name: 'Otters', runtimeMinutes: 2 };

describe('SubtitleTracks', () => {
  let catalog: FakeCatalogTitles;
  let tracks: SubtitleTracks;

  beforeEach(() => {
    catalog = new FakeCatalogTitles([FILM, SHORT]);
    tracks = new SubtitleTracks(catalog);
  });

  describe('list', () => {
    it('asks the port for the title once and lists the tracks generated for it', async () => {
      const page = await tracks.list('tt00001', { languages: [], pageToken: '' });
      expect(page).toEqual({ tracks: tracksForTitle('tt00001'), nextPageToken: '' });
      expect(catalog.asked).toEqual(['tt00001']);
    });

    it('filters and pages what the port’s title has', async () => {
      const first = await tracks.list('tt00001', { languages: ['es'], pageSize: 2, pageToken: '' });
      const second = await tracks.list('tt00001', { languages: ['es'], pageSize: 2, pageToken: first.nextPageToken });
      expect([...first.tracks, ...second.tracks].map((track) => track.trackId)).toEqual([
        'tt00001-es-sub',
        'tt00001-es-419-sub',
        'tt00001-es-419-cc',
      ]);
      expect(second.nextPageToken).toBe('');
      expect(catalog.asked).toEqual(['tt00001', 'tt00001']);
    });

    it('lets NOT_FOUND from the port through', async () => {
      await expectRejects(tracks.list('tt99999', { languages: [], pageToken: '' }), NotFoundError, 'tt99999');
      const answer = statusError(status.NOT_FOUND, 'title "tt99998" not found');
      catalog.failure = answer;
      await expect(tracks.list('tt99998', { languages: [], pageToken: '' })).rejects.toBe(answer);
      expect(catalog.asked).toEqual(['tt99999', 'tt99998']);
    });

    it('fails with UNAVAILABLE when the port fails closed', async () => {
      catalog.failure = new UnavailableError('catalog is unavailable: connect ECONNREFUSED');
      await expectRejects(tracks.list('tt00001', { languages: [], pageToken: '' }), UnavailableError, 'catalog');
      expect(catalog.asked).toEqual(['tt00001']);
    });
  });

  describe('get', () => {
    it('asks the port for the title the id names and renders the track from its facts', async () => {
      const track = await tracks.get('tt00001-es-419-cc');
      expect(catalog.asked).toEqual(['tt00001']);
      expect(track).toEqual(getTrack('tt00001-es-419-cc', FILM));
      expect(track).toMatchObject({ titleId: 'tt00001', language: 'es-419', kind: 'CLOSED_CAPTIONS' });
      expect(track.content).toContain('The Long Night');
      expect(validateWebVtt(track.content, { runtimeMs: FILM.runtimeMinutes * 60_000 })).toEqual([]);
    });

    it('fits the cues into the runtime the port gives', async () => {
      const { content } = await tracks.get('tt00002-en-sub');
      expect(validateWebVtt(content, { runtimeMs: SHORT.runtimeMinutes * 60_000 })).toEqual([]);
      expect(content).toBe(getTrack('tt00002-en-sub', SHORT).content);
      expect(content).not.toBe(getTrack('tt00002-en-sub', { ...SHORT, runtimeMinutes: 95 }).content);
    });

    it('rejects a malformed id without asking the port', async () => {
      for (const id of ['', 'garbage', 'tt00001-en', 'tt00001-en-xx']) {
        await expectRejects(tracks.get(id), InvalidArgumentError, 'track_id: ');
      }
      expect(catalog.asked).toEqual([]);
    });

    it('answers NOT_FOUND for a track the title does not have, and lets the port’s NOT_FOUND through', async () => {
      await expectRejects(tracks.get('tt00001-xx-sub'), NotFoundError, 'subtitle track', '"tt00001-xx-sub"');
      await expectRejects(tracks.get('tt99999-en-sub'), NotFoundError, 'title "tt99999" not found');
      expect(catalog.asked).toEqual(['tt00001', 'tt99999']);
    });

    it('fails with UNAVAILABLE when the port fails closed', async () => {
      catalog.failure = new UnavailableError('catalog is unavailable: deadline exceeded');
      await expectRejects(tracks.get('tt00001-en-cc'), UnavailableError, 'catalog');
      expect(catalog.asked).toEqual(['tt00001']);
    });
  });
});
