import { NotFoundError } from '@streamplane/platform/errors';
import { expectThrows } from '@streamplane/testkit';
import { CatalogQueries, type TitleSource } from '../../src/application/catalog-queries';
import { generateCatalog, type Title } from '../../src/domain';

/** CatalogQueries over a title source the test controls: no process, no seed of 2000 titles. */
describe('CatalogQueries', () => {
  const [crown, otter, harbor, tokyo] = generateCatalog(4) as [Title, Title, Title, Title];

  /** A title source that hands out the given titles and counts how often it was read. */
  function fakeSource(titles: readonly Title[]): TitleSource & { reads: number } {
    return {
      reads: 0,
      loadTitles() {
        this.reads += 1;
        return titles;
      },
    };
  }

  it('reads its source once, at construction, however many queries follow', () => {
    const source = fakeSource([crown, otter]);
    const queries = new CatalogQueries(source);
    expect(source.reads).toBe(1);
    queries.getTitle(crown.titleId, '');
    queries.listTitles({ country: '', genre: '', pageSize: 10, pageToken: '' });
    queries.searchTitles({ query: 'otter', country: '', pageSize: 5 });
    expect(source.reads).toBe(1);
  });

  it('answers from the source’s titles only', () => {
    const queries = new CatalogQueries(fakeSource([tokyo, crown]));
    expect(queries.getTitle(crown.titleId, 'US')).toEqual(crown);
    expectThrows(() => queries.getTitle(otter.titleId, ''), NotFoundError, otter.titleId);
    expect(queries.batchGetTitles([tokyo.titleId, crown.titleId], 'US').map((t) => t.titleId)).toEqual([crown.titleId]);
    expect(queries.listTitles({ country: '', genre: '', pageSize: 10, pageToken: '' })).toEqual({
      titles: [crown, tokyo],
      nextPageToken: '',
    });
  });

  it('pages, searches and builds ladders over what the source gave', () => {
    const queries = new CatalogQueries(fakeSource([crown, otter, harbor, tokyo]));
    const first = queries.listTitles({ country: '', genre: '', pageSize: 3, pageToken: '' });
    expect(first.titles.map((t) => t.titleId)).toEqual(['tt00001', 'tt00002', 'tt00003']);
    const second = queries.listTitles({ country: '', genre: '', pageSize: 3, pageToken: first.nextPageToken });
    expect(second).toEqual({ titles: [tokyo], nextPageToken: '' });
    expect(queries.searchTitles({ query: 'harbor', country: '', pageSize: 5 })).toEqual([harbor]);
    expect(queries.getEncodingLadder(harbor.titleId).titleId).toBe(harbor.titleId);
    expect(queries.getEncodingLadder(harbor.titleId).renditions.length).toBeGreaterThan(0);
  });
});
