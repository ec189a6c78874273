import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from '@streamplane/platform/errors';
import { Catalog, GENRES, SEED_COUNTRIES, buildEncodingLadder, generateCatalog } from '../../src/domain';
import type { ListTitlesRequest, Title } from '../../src/domain';
import { MAX_BATCH_SIZE } from '../../src/api/catalog.validation';
import { expectThrows } from '@streamplane/testkit';

/**
 * Larger than any page the api lets through: sizes are bounded where requests arrive (their checks are in
 * test/api/catalog.validation.test.ts), and the catalog answers whatever size it is given.
 */
const LARGE_PAGE = 1000;
const seed = generateCatalog();
const catalog = Catalog.fromSeed();
const ids = (titles: readonly Title[]) => titles.map((t) => t.titleId);

function walk(request: Omit<ListTitlesRequest, 'pageToken'>, pageSizes: number[] = [request.pageSize]): Title[] {
  const all: Title[] = [];
  let pageToken = '';
  let pages = 0;
  do {
    const pageSize = pageSizes[pages % pageSizes.length]!;
    const page = catalog.listTitles({ ...request, pageSize, pageToken });
    expect(page.titles.length).toBeLessThanOrEqual(pageSize);
    if (page.nextPageToken !== '') expect(page.titles.length).toBe(pageSize);
    all.push(...page.titles);
    pageToken = page.nextPageToken;
    pages++;
    expect(pages).toBeLessThan(10_000);
  } while (pageToken !== '');
  return all;
}

describe('Catalog construction', () => {
  it('holds the whole seed, in id order', () => {
    expect(catalog.size).toBe(2000);
    expect(walk({ country: '', genre: '', pageSize: LARGE_PAGE })).toEqual(seed);
  });

  it('sorts titles given out of order and rejects duplicate ids', () => {
    const small = new Catalog([seed[2]!, seed[0]!, seed[1]!]);
    expect(ids(small.listTitles({ country: '', genre: '', pageSize: 10, pageToken: '' }).titles)).toEqual([
      'tt00001',
      'tt00002',
      'tt00003',
    ]);
    expect(() => new Catalog([seed[0]!, seed[0]!])).toThrow(/duplicate title id tt00001/);
  });

  it('hands out frozen titles that cannot change the catalog', () => {
    const title = catalog.getTitle('tt00001', 'US');
    expect(Object.isFrozen(title)).toBe(true);
    expect(Object.isFrozen(title.genres)).toBe(true);
    expect(Object.isFrozen(title.availableCountries)).toBe(true);
    expect(Object.isFrozen(title.localizedNames)).toBe(true);
    expect(() => (title.genres as string[]).push('x')).toThrow(TypeError);
    const ladder = catalog.getEncodingLadder('tt00001');
    expect(Object.isFrozen(ladder.renditions)).toBe(true);
    expect(Object.isFrozen(ladder.renditions[0])).toBe(true);
  });

  it('lists the genres, sorted', () => {
    const genres = catalog.genres();
    expect(genres).toEqual([...GENRES]);
    expect(genres).toEqual([...genres].sort());
    expect(genres.length).toBeGreaterThanOrEqual(15);
    for (const g of ['drama', 'comedy', 'action', 'thriller', 'documentary', 'animation', 'kids', 'sci-fi', 'horror']) {
      expect(genres).toContain(g);
    }
    genres.push('mutated');
    expect(catalog.genres()).not.toContain('mutated');
  });

  it('lists the countries it serves', () => {
    expect(catalog.countries()).toEqual([...SEED_COUNTRIES]);
  });
});

describe('getTitle', () => {
  it('returns the title when available in the country', () => {
    const title = catalog.getTitle('tt00001', 'US');
    expect(title).toEqual(seed[0]);
    expect(title.name).toBe('The Silent Crown');
  });

  it('compares countries case-insensitively', () => {
    expect(catalog.getTitle('tt00004', 'jp').titleId).toBe('tt00004');
  });

  it('fails with NotFound naming the id for an unknown title', () => {
    const error = expectThrows(() => catalog.getTitle('tt99999', 'US'), NotFoundError, 'tt99999');
    expect((error as NotFoundError).kind).toBe('not-found');
    expect((error as NotFoundError).resource).toBe('title');
    expect((error as NotFoundError).id).toBe('tt99999');
  });

  it('fails with FailedPrecondition when the title is not available in the country', () => {
    const error = expectThrows(() => catalog.getTitle('tt00004', 'US'), FailedPreconditionError);
    expect(error.message).toBe('title "tt00004" is not available in US');
    expect((error as FailedPreconditionError).kind).toBe('failed-precondition');
    expectThrows(() => catalog.getTitle('tt00004', 'us'), FailedPreconditionError, 'not available in US');
  });

  it('fails with FailedPrecondition for a well-formed country the service does not operate in', () => {
    expectThrows(() => catalog.getTitle('tt00001', 'ZZ'), FailedPreconditionError, 'tt00001', 'ZZ');
  });

  it('skips the availability check when country is empty', () => {
    expect(catalog.getTitle('tt00004', '').titleId).toBe('tt00004');
  });

  it('checks availability for every seeded title', () => {
    for (const title of seed.slice(0, 300)) {
      for (const country of ['US', 'JP', 'NG']) {
        if (title.availableCountries.includes(country)) expect(catalog.getTitle(title.titleId, country)).toEqual(title);
        else
          expectThrows(() => catalog.getTitle(title.titleId, country), FailedPreconditionError, title.titleId, country);
      }
    }
  });

  it('rejects an empty id and a malformed country, naming the field', () => {
    const empty = expectThrows(() => catalog.getTitle('', 'US'), InvalidArgumentError, 'title_id');
    expect((empty as InvalidArgumentError).field).toBe('title_id');
    for (const country of ['USA', 'U', '12', 'U$']) {
      const error = expectThrows(() => catalog.getTitle('tt00001', country), InvalidArgumentError, 'country');
      expect((error as InvalidArgumentError).field).toBe('country');
    }
  });
});

describe('batchGetTitles', () => {
  it('returns titles in the requested order, duplicates kept', () => {
    expect(ids(catalog.batchGetTitles(['tt00010', 'tt00002', 'tt00005', 'tt00002'], ''))).toEqual([
      'tt00010',
      'tt00002',
      'tt00005',
      'tt00002',
    ]);
  });

  it('omits titles not available in the country and keeps the rest in order', () => {
    expect(ids(catalog.batchGetTitles(['tt00004', 'tt00001', 'tt00002'], 'US'))).toEqual(['tt00001', 'tt00002']);
    expect(ids(catalog.batchGetTitles(['tt00004', 'tt00001'], 'JP'))).toEqual(['tt00004', 'tt00001']);
    const requested = ids(seed.slice(0, MAX_BATCH_SIZE));
    expect(catalog.batchGetTitles(requested, 'NG')).toEqual(
      seed.slice(0, MAX_BATCH_SIZE).filter((t) => t.availableCountries.includes('NG')),
    );
  });

  it('fails with NotFound naming the first unknown id', () => {
    const error = expectThrows(
      () => catalog.batchGetTitles(['tt00001', 'tt99998', 'tt99999'], 'US'),
      NotFoundError,
      'tt99998',
    );
    expect(error.message).not.toContain('tt99999');
    // Unknown ids fail even when a known id before them would have been omitted for the country.
    expectThrows(() => catalog.batchGetTitles(['tt00004', 'nope'], 'US'), NotFoundError, 'nope');
  });

  it('accepts an empty list', () => {
    expect(catalog.batchGetTitles([], 'US')).toEqual([]);
  });

  it('answers a full batch and rejects empty ids, naming title_ids', () => {
    expect(catalog.batchGetTitles(ids(seed.slice(0, MAX_BATCH_SIZE)), '')).toHaveLength(MAX_BATCH_SIZE);
    expectThrows(() => catalog.batchGetTitles(['tt00001', ''], 'US'), InvalidArgumentError, 'title_ids', 'entry 1');
    expectThrows(() => catalog.batchGetTitles(['tt00001'], 'usa'), InvalidArgumentError, 'country');
  });
});

describe('listTitles', () => {
  const filters: [string, string][] = [
    ['US', ''],
    ['JP', 'horror'],
    ['', 'kids'],
    ['NG', 'drama'],
    ['BR', 'stand-up'],
  ];

  it.each(filters)('walks every page exactly once for country=%p genre=%p', (country, genre) => {
    const expected = seed.filter(
      (t) => (country === '' || t.availableCountries.includes(country)) && (genre === '' || t.genres.includes(genre)),
    );
    expect(expected.length).toBeGreaterThan(10);
    const walked = walk({ country, genre, pageSize: 37 });
    expect(new Set(ids(walked)).size).toBe(walked.length);
    expect(walked).toEqual(expected);
  });

  it('returns the same pages whatever the page sizes along the way', () => {
    const expected = walk({ country: 'FR', genre: 'comedy', pageSize: 1000 });
    expect(walk({ country: 'FR', genre: 'comedy', pageSize: 1 }, [1, 7, 50, 3])).toEqual(expected);
  });

  it('filters by country: a title not available there is not listed', () => {
    expect(ids(walk({ country: 'US', genre: '', pageSize: 500 }))).not.toContain('tt00004');
    expect(ids(walk({ country: 'JP', genre: '', pageSize: 500 }))).toContain('tt00004');
    const us = walk({ country: 'US', genre: '', pageSize: 500 });
    expect(us.length).toBeLessThan(seed.length);
    for (const title of us) expect(title.availableCountries).toContain('US');
  });

  it('is stable: the same request gives the same page', () => {
    const first = catalog.listTitles({ country: 'DE', genre: 'crime', pageSize: 20, pageToken: '' });
    const again = catalog.listTitles({ country: 'DE', genre: 'crime', pageSize: 20, pageToken: '' });
    expect(again).toEqual(first);
    expect(ids(first.titles)).toEqual([...ids(first.titles)].sort());
  });

  it('treats genre and country case-insensitively, with the same page tokens', () => {
    const lower = catalog.listTitles({ country: 'us', genre: 'drama', pageSize: 10, pageToken: '' });
    const upper = catalog.listTitles({ country: 'US', genre: 'Drama', pageSize: 10, pageToken: '' });
    expect(upper).toEqual(lower);
    const next = catalog.listTitles({ country: 'US', genre: 'DRAMA', pageSize: 10, pageToken: lower.nextPageToken });
    expect(next.titles[0]!.titleId > lower.titles.at(-1)!.titleId).toBe(true);
  });

  it('returns an empty last page for a country the service does not operate in', () => {
    expect(catalog.listTitles({ country: 'ZZ', genre: '', pageSize: 10, pageToken: '' })).toEqual({
      titles: [],
      nextPageToken: '',
    });
  });

  it('rejects a page token issued for different filters', () => {
    const { nextPageToken } = catalog.listTitles({ country: 'US', genre: 'drama', pageSize: 5, pageToken: '' });
    expect(nextPageToken).not.toBe('');
    for (const [country, genre] of [
      ['FR', 'drama'],
      ['US', 'comedy'],
      ['US', ''],
      ['', 'drama'],
    ] as const) {
      const error = expectThrows(
        () => catalog.listTitles({ country, genre, pageSize: 5, pageToken: nextPageToken }),
        InvalidArgumentError,
        'page_token',
      );
      expect((error as InvalidArgumentError).field).toBe('page_token');
    }
  });

  it('rejects a malformed page token', () => {
    for (const pageToken of ['garbage!', 'eyJ4IjoxfQ', Buffer.from('{"o":-1,"f":"x"}').toString('base64url')]) {
      expectThrows(
        () => catalog.listTitles({ country: 'US', genre: '', pageSize: 5, pageToken }),
        InvalidArgumentError,
        'page_token',
      );
    }
  });

  it('rejects an unknown genre, listing the known ones', () => {
    const error = expectThrows(
      () => catalog.listTitles({ country: 'US', genre: 'western', pageSize: 5, pageToken: '' }),
      InvalidArgumentError,
      'genre',
      'unknown genre "western"',
      'known: ',
      'drama',
      'sci-fi',
    );
    expect((error as InvalidArgumentError).field).toBe('genre');
  });

  it('answers a page of the size it is asked for', () => {
    expect(catalog.listTitles({ country: '', genre: '', pageSize: LARGE_PAGE, pageToken: '' }).titles).toHaveLength(
      LARGE_PAGE,
    );
  });

  it('rejects a malformed country', () => {
    expectThrows(
      () => catalog.listTitles({ country: 'U1', genre: '', pageSize: 5, pageToken: '' }),
      InvalidArgumentError,
      'country',
    );
  });
});

describe('searchTitles', () => {
  const t = (titleId: string, name: string, availableCountries = ['US', 'GB']): Title => ({
    ...seed[0]!,
    titleId,
    name,
    availableCountries,
  });
  const small = new Catalog([
    t('tt00001', 'Midnight Run'), // substring
    t('tt00002', 'The Long Night'), // word prefix
    t('tt00003', 'Nightfall'), // name prefix
    t('tt00004', 'Knights of Ni'), // substring
    t('tt00005', 'Night'), // exact
    t('tt00006', 'Into the Nightlands'), // word prefix
    t('tt00007', 'Night Shift'), // name prefix
    t('tt00008', 'Ocean Drive'), // no match
    t('tt00009', 'night'.toUpperCase(), ['GB']), // exact, not in US
    t('tt00010', 'Café Nights'), // word prefix
  ]);
  const search = (query: string, country = 'US', pageSize = 100) =>
    ids(small.searchTitles({ query, country, pageSize }));

  it('ranks exact > name prefix > word prefix > substring, ties by title id', () => {
    expect(search('night')).toEqual([
      'tt00005',
      'tt00003',
      'tt00007',
      'tt00002',
      'tt00006',
      'tt00010',
      'tt00001',
      'tt00004',
    ]);
    expect(search('night', '')).toEqual([
      'tt00005',
      'tt00009',
      'tt00003',
      'tt00007',
      'tt00002',
      'tt00006',
      'tt00010',
      'tt00001',
      'tt00004',
    ]);
  });

  it('is case-, accent- and whitespace-insensitive', () => {
    expect(search('NiGhT')).toEqual(search('night'));
    expect(search('  night ')).toEqual(search('night'));
    expect(search('cafe')).toEqual(['tt00010']);
    expect(search('CAFÉ  nights')).toEqual(['tt00010']);
  });

  it('ranks the same way for short queries (scanned rather than indexed)', () => {
    // "Knights of Ni" has a word starting with "ni"; "Night" is only a prefix match now.
    expect(search('ni')).toEqual([
      'tt00003',
      'tt00005',
      'tt00007',
      'tt00002',
      'tt00004',
      'tt00006',
      'tt00010',
      'tt00001',
    ]);
    expect(search('n').slice(0, 3)).toEqual(['tt00003', 'tt00005', 'tt00007']);
    expect(search('NI', 'GB').slice(0, 4)).toEqual(['tt00003', 'tt00005', 'tt00007', 'tt00009']);
  });

  it('returns only titles available in the country', () => {
    expect(search('night', 'GB')).toContain('tt00009');
    expect(search('night', 'US')).not.toContain('tt00009');
    expect(search('night', 'FR')).toEqual([]);
    expect(search('ni', 'FR')).toEqual([]);
  });

  it('returns the best page_size results', () => {
    expect(search('night', 'US', 3)).toEqual(['tt00005', 'tt00003', 'tt00007']);
    expect(search('night', 'US', 1)).toEqual(['tt00005']);
  });

  it('returns nothing when no name matches', () => {
    expect(search('zebra')).toEqual([]);
    expect(search('nightx')).toEqual([]);
  });

  it('rejects an empty query and a malformed country, naming the field', () => {
    for (const query of ['', '   ']) {
      const error = expectThrows(
        () => small.searchTitles({ query, country: 'US', pageSize: 5 }),
        InvalidArgumentError,
        'query',
      );
      expect((error as InvalidArgumentError).field).toBe('query');
    }
    expectThrows(
      () => small.searchTitles({ query: 'night', country: 'USA', pageSize: 5 }),
      InvalidArgumentError,
      'country',
    );
  });

  /** An independent, brute-force reference: scan, classify, sort. */
  function reference(query: string, country: string): string[] {
    const q = query.toLowerCase();
    const rank = (name: string): number => {
      const n = name.toLowerCase();
      if (n === q) return 0;
      if (n.startsWith(q)) return 1;
      if (new RegExp(`(^|[^a-z0-9])${q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).test(n)) return 2;
      return n.includes(q) ? 3 : 4;
    };
    return seed
      .filter((t) => country === '' || t.availableCountries.includes(country))
      .map((t) => ({ id: t.titleId, r: rank(t.name) }))
      .filter((x) => x.r < 4)
      .sort((x, y) => x.r - y.r || (x.id < y.id ? -1 : 1))
      .map((x) => x.id);
  }

  it.each([
    ['night', 'US'],
    ['Crown', 'JP'],
    ['ocean', ''],
    ['stranger', 'BR'],
    ['the ', 'US'],
    ['of', 'DE'],
    ['e', 'NG'],
    ['an', ''],
    ['crown of', 'US'],
    ['the silent crown', 'US'],
  ])('matches a brute-force reference on the seed for %p in %p', (query, country) => {
    const expected = reference(query.trim(), country);
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(catalog.searchTitles({ query, country, pageSize: LARGE_PAGE }))).toEqual(expected.slice(0, LARGE_PAGE));
  });

  it('finds seeded titles by name and respects their availability', () => {
    expect(ids(catalog.searchTitles({ query: 'the silent crown', country: 'US', pageSize: 5 }))[0]).toBe('tt00001');
    expect(ids(catalog.searchTitles({ query: 'Tokyo Nights', country: 'JP', pageSize: 5 }))[0]).toBe('tt00004');
    expect(ids(catalog.searchTitles({ query: 'Tokyo Nights', country: 'US', pageSize: 50 }))).not.toContain('tt00004');
    for (const word of ['stranger', 'night', 'crown', 'ocean']) {
      expect(catalog.searchTitles({ query: word, country: 'US', pageSize: 10 })).toHaveLength(10);
    }
  });
});

describe('getEncodingLadder', () => {
  it('returns the precomputed ladder of the title', () => {
    const ladder = catalog.getEncodingLadder('tt00001');
    expect(ladder.titleId).toBe('tt00001');
    expect(ladder.renditions).toEqual(buildEncodingLadder(seed[0]!));
    expect(ladder.renditions[0]).toMatchObject({ width: 320, height: 240, bitrateKbps: 235 });
    expect(ladder.renditions.filter((r) => !r.hdr && r.height === 1080).at(-1)!.bitrateKbps).toBe(5800);
    expect(ladder.renditions.filter((r) => !r.hdr && r.height === 2160)[0]!.bitrateKbps).toBe(16000);
    expect(ladder.renditions.some((r) => r.hdr)).toBe(true);
    expect(catalog.getEncodingLadder('tt00001')).toBe(ladder);
  });

  it('matches buildEncodingLadder for every title (HDR rungs only with hdrAvailable)', () => {
    for (const title of seed) {
      const { renditions } = catalog.getEncodingLadder(title.titleId);
      expect(renditions).toEqual(buildEncodingLadder(title));
      expect(renditions.some((r) => r.hdr)).toBe(title.hdrAvailable);
    }
  });

  it('needs no country: a regionally restricted title still has a ladder', () => {
    expect(catalog.getEncodingLadder('tt00004').renditions.length).toBeGreaterThan(0);
  });

  it('fails with NotFound for an unknown id and InvalidArgument for an empty one', () => {
    expectThrows(() => catalog.getEncodingLadder('tt99999'), NotFoundError, 'tt99999');
    expectThrows(() => catalog.getEncodingLadder(''), InvalidArgumentError, 'title_id');
  });
});

describe('maturity cap', () => {
  it('lists only titles at or below the cap, walking every page', () => {
    const capped = walk({ country: 'US', genre: '', pageSize: 200, maxMaturityLevel: 7 });
    const expected = seed
      .filter((title) => title.availableCountries.includes('US') && title.maturityLevel <= 7)
      .map((title) => title.titleId)
      .sort();
    expect(ids(capped)).toEqual(expected);
    expect(capped.length).toBeGreaterThan(0);
  });

  it('binds page tokens to the cap', () => {
    const first = catalog.listTitles({ country: 'US', genre: '', pageSize: 5, pageToken: '', maxMaturityLevel: 7 });
    expectThrows(
      () => catalog.listTitles({ country: 'US', genre: '', pageSize: 5, pageToken: first.nextPageToken }),
      InvalidArgumentError,
      'page_token',
    );
  });

  it('filters search results', () => {
    const all = catalog.searchTitles({ query: 'the', country: '', pageSize: LARGE_PAGE });
    const capped = catalog.searchTitles({ query: 'the', country: '', pageSize: LARGE_PAGE, maxMaturityLevel: 0 });
    expect(capped.every((title) => title.maturityLevel === 0)).toBe(true);
    expect(capped.length).toBeGreaterThan(0);
    expect(capped.length).toBeLessThan(all.length);
  });
});

describe('type filter', () => {
  it('lists only titles of the requested type, combined with the other filters', () => {
    const series = walk({ country: 'US', genre: 'drama', pageSize: 100, type: 'SERIES', maxMaturityLevel: 13 });
    const expected = seed
      .filter(
        (title) =>
          title.type === 'SERIES' &&
          title.maturityLevel <= 13 &&
          title.genres.includes('drama') &&
          title.availableCountries.includes('US'),
      )
      .map((title) => title.titleId)
      .sort();
    expect(ids(series)).toEqual(expected);
    expect(series.length).toBeGreaterThan(0);
  });
});
