import { networkRegion } from '@streamplane/streaming';
import { UnavailableError } from '@streamplane/platform/errors';
import { DemandForecasts } from '../../src/application/demand';
import { Trending } from '../../src/application/trending';
import { aTitle, loadedSnapshot } from './fakes';

const CATALOG = Array.from({ length: 30 }, (_, i) =>
  aTitle({
    title_id: `tt${String(i + 1).padStart(5, '0')}`,
    release_year: 1995 + i,
    available_countries: i % 2 === 0 ? ['US'] : ['DE', 'FR'],
  }),
);
const NOT_LOADED = {
  current: () => {
    throw new UnavailableError('catalog snapshot not loaded yet');
  },
};

describe('Trending', () => {
  it('ranks the snapshot’s titles available in the country, at most limit', () => {
    const titles = new Trending(loadedSnapshot(CATALOG)).titlesIn('US', 5);
    expect(titles).toHaveLength(5);
    for (const title of titles) expect(title.available_countries).toContain('US');
  });

  it('is UNAVAILABLE before the snapshot has loaded', () => {
    expect(() => new Trending(NOT_LOADED).titlesIn('US', 5)).toThrow(UnavailableError);
  });
});

describe('DemandForecasts', () => {
  it('predicts from the snapshot, highest first, scored against the first', () => {
    const predictions = new DemandForecasts(loadedSnapshot(CATALOG)).predict(networkRegion('eu-west')!, 10);
    expect(predictions).toHaveLength(10);
    expect(predictions[0]!.score).toBe(1);
    const ids = new Set(CATALOG.filter((title) => title.available_countries.includes('DE')).map((t) => t.title_id));
    for (const prediction of predictions) expect(ids.has(prediction.titleId)).toBe(true);
  });

  it('is UNAVAILABLE before the snapshot has loaded', () => {
    expect(() => new DemandForecasts(NOT_LOADED).predict(networkRegion('us-east')!, 10)).toThrow(UnavailableError);
  });
});
