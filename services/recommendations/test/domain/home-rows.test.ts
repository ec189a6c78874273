import {
  CatalogSnapshot,
  fallbackHomeRows,
  genreTastes,
  KIDS_SAFE_MATURITY_LEVEL,
  personalisedHomeRows,
  type HomeRow,
  type Personalisation,
  type WatchedTitle,
} from '../../src/domain';
import { aTitle, fixedPopularity, ids, type TestTitle } from './helpers';

const GENRES = ['action', 'comedy', 'drama', 'horror', 'kids', 'sci-fi'];
const LEVELS = [0, 7, 13, 16, 18];

/** 240 titles: every genre as primary, a secondary genre for some, every maturity level, some not in FR. */
const CATALOG: TestTitle[] = Array.from({ length: 240 }, (_, i) =>
  aTitle({
    title_id: `tt${String(i + 1).padStart(5, '0')}`,
    genres: i % 3 === 0 ? [GENRES[i % 6]!, GENRES[(i + 1) % 6]!] : [GENRES[i % 6]!],
    maturity_level: LEVELS[i % 5]!,
    release_year: 2000 + (i % 25),
    available_countries: i % 4 === 0 ? ['US'] : ['FR', 'US'],
  }),
);
const snapshot = new CatalogSnapshot(CATALOG);
const byId = new Map(CATALOG.map((title) => [title.title_id, title]));
const limits = { country: 'US', maxRows: 10, titlesPerRow: 20 };

let clock = Date.UTC(2026, 3, 1);
/** History entries, oldest first (each watched a minute after the previous one). */
function watched(...entries: [titleId: string, positionSeconds: number, completed?: boolean][]): WatchedTitle[] {
  return entries.map(([titleId, positionSeconds, completed = false]) => ({
    titleId,
    positionSeconds,
    completed,
    watchedAtMs: (clock += 60_000),
  }));
}

function personalisation(history: WatchedTitle[], maturityLevel = 18): Personalisation<TestTitle> {
  return { maturityLevel, history, historyTitles: byId };
}

const allTitles = (rows: HomeRow<TestTitle>[]): TestTitle[] => rows.flatMap((row) => [...row.titles]);

describe('personalised home rows', () => {
  it('starts with continue watching: unfinished titles, most recent first, with resume positions', () => {
    const history = watched(['tt00002', 300], ['tt00003', 900, true], ['tt00008', 120]);
    const [first] = personalisedHomeRows(snapshot, limits, personalisation(history));
    expect(first).toMatchObject({ rowId: 'continue-watching', title: 'Continue watching', kind: 'CONTINUE_WATCHING' });
    expect(ids(first!.titles)).toEqual(['tt00008', 'tt00002']);
    expect(first!.resumePositionSeconds).toEqual({ tt00008: 120, tt00002: 300 });
    expect(first!.genre).toBe('');
  });

  it('orders continue watching by watch time even if the history arrives unordered', () => {
    const [older, newer] = watched(['tt00002', 10], ['tt00003', 20]);
    const rows = personalisedHomeRows(snapshot, limits, personalisation([older!, newer!].reverse()));
    const reversed = personalisedHomeRows(snapshot, limits, personalisation([older!, newer!]));
    expect(ids(rows[0]!.titles)).toEqual(['tt00003', 'tt00002']);
    expect(ids(reversed[0]!.titles)).toEqual(['tt00003', 'tt00002']);
  });

  it('has no continue-watching row when everything was finished, and never an empty row', () => {
    const rows = personalisedHomeRows(snapshot, limits, personalisation(watched(['tt00002', 900, true])));
    expect(rows.map((row) => row.kind)).not.toContain('CONTINUE_WATCHING');
    for (const row of rows) expect(row.titles.length).toBeGreaterThan(0);
  });

  it('puts the genres the profile watched first, most watched first', () => {
    // tt00003 and tt00009 are drama (primary), tt00004 is horror: drama outweighs horror.
    const history = watched(['tt00003', 60, true], ['tt00009', 60, true], ['tt00004', 60, true]);
    const genreRows = personalisedHomeRows(snapshot, limits, personalisation(history)).filter(
      (row) => row.kind === 'GENRE',
    );
    expect(genreRows.slice(0, 2).map((row) => row.rowId)).toEqual(['genre-drama', 'genre-horror']);
    expect(genreRows[0]).toMatchObject({ title: 'Drama', genre: 'drama' });
    for (const title of genreRows[0]!.titles) expect(title.genres).toContain('drama');
  });

  it('weights genres by history, recent entries and primary genres counting more', () => {
    const tastes = genreTastes({ history: watched(['tt00001', 60], ['tt00004', 60]), historyTitles: byId });
    // tt00001: action (primary) + comedy; tt00004: horror (primary) + kids; tt00004 is the more recent.
    expect(tastes.get('horror')).toBe(1);
    expect(tastes.get('action')).toBeCloseTo(0.9);
    expect(tastes.get('kids')).toBeCloseTo(0.5);
    expect(tastes.get('comedy')).toBeCloseTo(0.45);
  });

  it('falls back to the genres most popular in the country when there is no history', () => {
    const rows = personalisedHomeRows(snapshot, limits, personalisation([]));
    expect(rows.map((row) => row.kind)).toEqual([...Array(rows.length - 1).fill('GENRE'), 'TRENDING']);
    expect(rows.filter((row) => row.kind === 'GENRE')).toHaveLength(GENRES.length);
  });

  it('leaves titles the profile started or finished out of genre rows, and repeats no title across them', () => {
    const history = watched(['tt00003', 60], ['tt00009', 60, true]);
    const rows = personalisedHomeRows(snapshot, limits, personalisation(history));
    const inGenreRows = ids(allTitles(rows.filter((row) => row.kind === 'GENRE')));
    expect(inGenreRows).not.toContain('tt00003');
    expect(inGenreRows).not.toContain('tt00009');
    expect(new Set(inGenreRows).size).toBe(inGenreRows.length);
  });

  it('ends with "Trending in <country>"', () => {
    const rows = personalisedHomeRows(snapshot, limits, personalisation(watched(['tt00002', 10])));
    expect(rows.at(-1)).toMatchObject({ rowId: 'trending-US', title: 'Trending in US', kind: 'TRENDING', genre: '' });
  });

  it('shows only titles available in the country and within the profile’s maturity level', () => {
    // tt00001 is US-only; tt00005 is rated 18; both unfinished.
    const history = watched(['tt00001', 60], ['tt00005', 60], ['tt00002', 60]);
    for (const maturityLevel of LEVELS) {
      const rows = personalisedHomeRows(
        snapshot,
        { ...limits, country: 'FR' },
        personalisation(history, maturityLevel),
      );
      expect(rows.length).toBeGreaterThan(0);
      for (const title of allTitles(rows)) {
        expect(title.available_countries).toContain('FR');
        expect(title.maturity_level).toBeLessThanOrEqual(maturityLevel);
      }
    }
  });

  it('never shows a kids profile (level 7) a title above 7, even one it started', () => {
    const history = watched(['tt00005', 60], ['tt00004', 60], ['tt00002', 60]);
    const rows = personalisedHomeRows(snapshot, limits, personalisation(history, KIDS_SAFE_MATURITY_LEVEL));
    expect(ids(rows[0]!.titles)).toEqual(['tt00002']);
    for (const title of allTitles(rows)) expect(title.maturity_level).toBeLessThanOrEqual(7);
  });

  it('cuts to max_rows and titles_per_row, keeping continue watching, then trending, then genres', () => {
    const history = watched(['tt00002', 10], ['tt00003', 10], ['tt00007', 10]);
    const cut = (maxRows: number, titlesPerRow = 2) =>
      personalisedHomeRows(snapshot, { country: 'US', maxRows, titlesPerRow }, personalisation(history));
    expect(cut(1).map((row) => row.kind)).toEqual(['CONTINUE_WATCHING']);
    expect(cut(2).map((row) => row.kind)).toEqual(['CONTINUE_WATCHING', 'TRENDING']);
    expect(cut(3).map((row) => row.kind)).toEqual(['CONTINUE_WATCHING', 'GENRE', 'TRENDING']);
    for (const row of cut(50)) expect(row.titles.length).toBeLessThanOrEqual(2);
    expect(cut(50, 1)[0]!.resumePositionSeconds).toEqual({ tt00007: 10 });
    expect(personalisedHomeRows(snapshot, { ...limits, maxRows: 50 }, personalisation(history)).length).toBe(
      1 + GENRES.length + 1,
    );
  });

  it('has no rows at all in a country without titles', () => {
    expect(personalisedHomeRows(snapshot, { ...limits, country: 'ZZ' }, personalisation([]))).toEqual([]);
  });
});

describe('fallback home rows (personalisation unavailable)', () => {
  it('is the trending row alone, within the kids-safe level 7 when the profile is unknown', () => {
    const rows = fallbackHomeRows(snapshot, limits, undefined);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ rowId: 'trending-US', kind: 'TRENDING' });
    expect(rows[0]!.titles).toHaveLength(20);
    for (const title of rows[0]!.titles) expect(title.maturity_level).toBeLessThanOrEqual(7);
  });

  it('uses the profile’s level when profiles answered', () => {
    const titles = fallbackHomeRows(snapshot, { ...limits, titlesPerRow: 100 }, 18)[0]!.titles;
    expect(Math.max(...titles.map((title) => title.maturity_level))).toBe(18);
    const kids = fallbackHomeRows(snapshot, limits, 0)[0]!.titles;
    for (const title of kids) expect(title.maturity_level).toBe(0);
  });

  it('is empty rather than an empty row in a country without titles', () => {
    expect(fallbackHomeRows(snapshot, { ...limits, country: 'ZZ' }, undefined)).toEqual([]);
  });
});

describe('genre rows of a profile', () => {
  /**
   * The rows by their definition: every watchable title ranked by personal score (trending score raised by
   * the profile's taste for its genres), ties by id; each row the first titles of its genre not already
   * watched or shown in an earlier row. Checked row by row in the order the rows came.
   */
  function expectRowsByDefinition(candidates: CatalogSnapshot<TestTitle>, personalisation: Personalisation<TestTitle>) {
    const rows = personalisedHomeRows(candidates, limits, personalisation).filter((row) => row.kind === 'GENRE');
    const tastes = genreTastes(personalisation);
    const personal = ({ title, score }: { title: TestTitle; score: number }) =>
      score * (1 + title.genres.reduce((sum, genre) => sum + (tastes.get(genre) ?? 0), 0));
    const ranked = [...candidates.watchableIn('US', personalisation.maturityLevel)]
      .sort((a, b) => personal(b) - personal(a) || a.title.title_id.localeCompare(b.title.title_id))
      .map(({ title }) => title);
    const shown = new Set(personalisation.history.map((entry) => entry.titleId));
    expect(rows.length).toBeGreaterThan(2);
    for (const row of rows) {
      const expected = ranked
        .filter((title) => title.genres.includes(row.genre) && !shown.has(title.title_id))
        .slice(0, limits.titlesPerRow);
      expect(ids(row.titles)).toEqual(ids(expected));
      for (const title of expected) shown.add(title.title_id);
    }
  }

  // Titles without drama twice as popular as the others: with a taste for drama alone, the personal
  // scores of drama titles tie with the trending scores of the rest, so the id tie-break is exercised.
  const tied = new CatalogSnapshot(
    CATALOG,
    fixedPopularity(
      Object.fromEntries(
        CATALOG.filter((title) => !title.genres.includes('drama')).map((title) => [title.title_id, 2]),
      ),
    ),
  );
  const profiles: Array<[string, WatchedTitle[]]> = [
    ['no history', []],
    ['one drama', watched(['tt00003', 600])],
    [
      'a mixed history',
      watched(['tt00001', 60], ['tt00008', 0, true], ['tt00012', 300], ['tt00023', 10], ['tt00030', 5]),
    ],
  ];

  test.each(profiles)('follow the definition for a profile with %s', (_name, history) => {
    for (const candidates of [snapshot, tied]) {
      for (const maturityLevel of [13, 18]) {
        expectRowsByDefinition(candidates, { maturityLevel, history, historyTitles: byId });
      }
    }
  });
});
