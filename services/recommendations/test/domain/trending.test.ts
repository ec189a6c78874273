import { CatalogSnapshot, SEEDED_POPULARITY, trendingTitles } from '../../src/domain';
import { aTitle, fixedPopularity, ids } from './helpers';

const COUNTRIES = ['BR', 'DE', 'FR', 'GB', 'JP', 'US'];

/** A catalog of 300 titles across genres, years, maturity levels and partial country availability. */
function catalog() {
  return Array.from({ length: 300 }, (_, i) =>
    aTitle({
      title_id: `tt${String(i + 1).padStart(5, '0')}`,
      release_year: 1990 + (i % 35),
      maturity_level: [0, 7, 13, 16, 18][i % 5]!,
      available_countries: COUNTRIES.filter((_, c) => (i + c) % 4 !== 0),
    }),
  );
}

describe('the seeded popularity model', () => {
  it('is deterministic: same title, same numbers', () => {
    const title = aTitle({ title_id: 'tt00042', release_year: 2019 });
    expect(SEEDED_POPULARITY.popularity(title, 2024)).toBe(SEEDED_POPULARITY.popularity({ ...title }, 2024));
    expect(SEEDED_POPULARITY.countryAffinity('tt00042', 'US')).toBe(SEEDED_POPULARITY.countryAffinity('tt00042', 'US'));
  });

  it('favours recent releases of the same title, and keeps old ones above zero', () => {
    const recent = aTitle({ title_id: 'tt00007', release_year: 2024 });
    const old = { ...recent, release_year: 1970 };
    expect(SEEDED_POPULARITY.popularity(recent, 2024)).toBeGreaterThan(SEEDED_POPULARITY.popularity(old, 2024));
    expect(SEEDED_POPULARITY.popularity(old, 2024)).toBeGreaterThan(0);
  });

  it('moves a title by at most ±20 % per country, differently per country', () => {
    const affinities = COUNTRIES.map((country) => SEEDED_POPULARITY.countryAffinity('tt00001', country));
    for (const affinity of affinities) expect(affinity).toBeGreaterThanOrEqual(0.8);
    for (const affinity of affinities) expect(affinity).toBeLessThan(1.2);
    expect(new Set(affinities).size).toBeGreaterThan(1);
  });
});

describe('trending', () => {
  it('ranks the same catalog the same way whatever order it arrives in', () => {
    const titles = catalog();
    const shuffled = [...titles].reverse();
    expect(ids(trendingTitles(new CatalogSnapshot(titles), 'US', 100))).toEqual(
      ids(trendingTitles(new CatalogSnapshot(shuffled), 'US', 100)),
    );
  });

  it('returns only titles available in the country, most trending first, at most limit', () => {
    const snapshot = new CatalogSnapshot(catalog());
    const trending = trendingTitles(snapshot, 'DE', 40);
    expect(trending).toHaveLength(40);
    for (const title of trending) expect(title.available_countries).toContain('DE');
    const scores = snapshot.trendingIn('DE').map(({ score }) => score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(ids(trending)).toEqual(
      ids(
        snapshot
          .trendingIn('DE')
          .slice(0, 40)
          .map(({ title }) => title),
      ),
    );
  });

  it('differs between countries (country tastes), from the same popularity', () => {
    const snapshot = new CatalogSnapshot(catalog());
    expect(ids(trendingTitles(snapshot, 'US', 20))).not.toEqual(ids(trendingTitles(snapshot, 'GB', 20)));
  });

  it('orders by popularity × country affinity, ties by title_id', () => {
    const titles = ['tt00003', 'tt00001', 'tt00002', 'tt00004'].map((title_id) => aTitle({ title_id }));
    const model = fixedPopularity({ tt00001: 1, tt00002: 2, tt00003: 2, tt00004: 1 }, { 'US:tt00004': 3 });
    expect(ids(trendingTitles(new CatalogSnapshot(titles, model), 'US', 10))).toEqual([
      'tt00004',
      'tt00002',
      'tt00003',
      'tt00001',
    ]);
  });

  it('filters by maturity when asked, and is empty for a country without titles', () => {
    const snapshot = new CatalogSnapshot(catalog());
    for (const title of trendingTitles(snapshot, 'US', 100, 7)) expect(title.maturity_level).toBeLessThanOrEqual(7);
    expect(trendingTitles(snapshot, 'ZZ', 10)).toEqual([]);
  });

  it('passes catalog titles through unchanged', () => {
    const title = aTitle({ available_countries: ['US'] });
    expect(trendingTitles(new CatalogSnapshot([title]), 'US', 1)[0]).toBe(title);
  });
});

describe('what a viewer may watch, per country and maturity level', () => {
  it('is the country’s trending order within the level, with each genre’s summed score', () => {
    const snapshot = new CatalogSnapshot(catalog());
    const watchable = snapshot.watchableIn('DE', 13);
    expect(watchable.map(({ title }) => title.title_id)).toEqual(
      snapshot
        .trendingIn('DE')
        .filter(({ title }) => title.maturity_level <= 13)
        .map(({ title }) => title.title_id),
    );
    const popularity = snapshot.genrePopularityIn('DE', 13);
    for (const [genre, sum] of popularity) {
      const expected = watchable
        .filter(({ title }) => title.genres.includes(genre))
        .reduce((total, { score }) => total + score, 0);
      expect(sum).toBeCloseTo(expected, 9);
    }
  });

  it('is computed once per country and level, and never remembered for a country without titles', () => {
    const snapshot = new CatalogSnapshot(catalog());
    expect(snapshot.watchableIn('US', 7)).toBe(snapshot.watchableIn('US', 7));
    expect(snapshot.genrePopularityIn('US', 7)).toBe(snapshot.genrePopularityIn('US', 7));
    expect(snapshot.watchableIn('US', 7)).not.toBe(snapshot.watchableIn('US', 18));
    expect(snapshot.watchableIn('ZZ', 18)).toEqual([]);
    expect(snapshot.watchableIn('ZZ', 18)).not.toBe(snapshot.watchableIn('ZZ', 18));
  });
});
