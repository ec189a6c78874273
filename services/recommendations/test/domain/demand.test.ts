import { NETWORK_REGIONS, networkRegion } from '@streamplane/streaming';
import { CatalogSnapshot, DAILY_PLAYS_MILLIONS, predictDemand, requireRegion } from '../../src/domain';
import { NotFoundError } from '@streamplane/platform/errors';
import { aTitle, fixedPopularity } from './helpers';

const usEast = networkRegion('us-east')!;

describe('PredictDemand', () => {
  it('knows every network region and names an unknown one', () => {
    for (const region of NETWORK_REGIONS) expect(requireRegion(region.name)).toBe(region);
    expect(() => requireRegion('mars-north')).toThrow(NotFoundError);
    expect(() => requireRegion('mars-north')).toThrow(/mars-north/);
  });

  it('shares each home country’s daily plays among its titles by trending score', () => {
    const a = aTitle({ title_id: 'tt00001', available_countries: ['US'] });
    const b = aTitle({ title_id: 'tt00002', available_countries: ['US'] });
    const snapshot = new CatalogSnapshot([a, b], fixedPopularity({ tt00001: 3, tt00002: 1 }));
    const predictions = predictDemand(snapshot, usEast, 10);
    const usPlays = DAILY_PLAYS_MILLIONS.US! * 1_000_000;
    expect(predictions.map((p) => p.titleId)).toEqual(['tt00001', 'tt00002']);
    expect(predictions[0]!.expectedPlays).toBeCloseTo(usPlays * 0.75);
    expect(predictions[1]!.expectedPlays).toBeCloseTo(usPlays * 0.25);
  });

  it('sums over the region’s home countries where the title is available', () => {
    const everywhere = aTitle({ title_id: 'tt00001', available_countries: ['BR', 'US'] });
    const usOnly = aTitle({ title_id: 'tt00002', available_countries: ['US'] });
    const snapshot = new CatalogSnapshot([everywhere, usOnly], fixedPopularity({}));
    const [first, second] = predictDemand(snapshot, usEast, 10);
    const million = 1_000_000;
    expect(first!.titleId).toBe('tt00001');
    expect(first!.expectedPlays).toBeCloseTo((DAILY_PLAYS_MILLIONS.US! / 2 + DAILY_PLAYS_MILLIONS.BR!) * million);
    expect(second!.expectedPlays).toBeCloseTo((DAILY_PLAYS_MILLIONS.US! / 2) * million);
  });

  it('predicts only titles available in the region’s countries', () => {
    const japanOnly = aTitle({ title_id: 'tt00001', available_countries: ['JP'] });
    const brazil = aTitle({ title_id: 'tt00002', available_countries: ['BR', 'JP'] });
    const snapshot = new CatalogSnapshot([japanOnly, brazil]);
    expect(predictDemand(snapshot, usEast, 10).map((p) => p.titleId)).toEqual(['tt00002']);
    expect(predictDemand(snapshot, networkRegion('eu-west')!, 10)).toEqual([]);
  });

  it('orders highest first, ties by title_id, and scores relative to the first', () => {
    const titles = ['tt00005', 'tt00003', 'tt00004', 'tt00001', 'tt00002'].map((title_id) =>
      aTitle({ title_id, available_countries: ['CA', 'US'] }),
    );
    const snapshot = new CatalogSnapshot(titles, fixedPopularity({ tt00004: 4, tt00005: 2, tt00002: 2 }));
    const predictions = predictDemand(snapshot, usEast, 10);
    expect(predictions.map((p) => p.titleId)).toEqual(['tt00004', 'tt00002', 'tt00005', 'tt00001', 'tt00003']);
    expect(predictions.map((p) => p.score)).toEqual([1, 0.5, 0.5, 0.25, 0.25]);
  });

  it('is cut to limit, with scores in 0..1 and the first 1 on a realistic catalog', () => {
    const titles = Array.from({ length: 500 }, (_, i) =>
      aTitle({
        title_id: `tt${String(i + 1).padStart(5, '0')}`,
        release_year: 1980 + (i % 45),
        available_countries: i % 3 === 0 ? ['DE', 'FR'] : ['AR', 'BR', 'CA', 'US'],
      }),
    );
    const predictions = predictDemand(new CatalogSnapshot(titles), usEast, 50);
    expect(predictions).toHaveLength(50);
    expect(predictions[0]!.score).toBe(1);
    for (const [i, prediction] of predictions.entries()) {
      expect(prediction.score).toBeGreaterThan(0);
      expect(prediction.score).toBeLessThanOrEqual(1);
      if (i > 0) expect(prediction.expectedPlays).toBeLessThanOrEqual(predictions[i - 1]!.expectedPlays);
    }
  });
});
