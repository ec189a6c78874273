import { NotFoundError } from '@streamplane/platform/errors';
import { networkRegion, type NetworkRegion } from '@streamplane/streaming';
import { compareIds, type CatalogSnapshot } from './catalog-snapshot';
import type { CatalogTitle } from './title';

export const DEFAULT_PREDICTION_LIMIT = 100;
export const MAX_PREDICTION_LIMIT = 2000;

/**
 * Plays started on a typical day per country, in millions: roughly each market's relative size. Countries
 * not listed (none of the regions' home countries today) count as a small market.
 */
export const DAILY_PLAYS_MILLIONS: Readonly<Record<string, number>> = Object.freeze({
  US: 60,
  BR: 14,
  GB: 12,
  DE: 10,
  MX: 8,
  FR: 8,
  IN: 8,
  CA: 6,
  JP: 6,
  ES: 6,
  IT: 5,
  AU: 5,
  KR: 4,
  AR: 4,
  CO: 3,
  PL: 3,
  NL: 3,
  TR: 2,
  CL: 2,
  SE: 2,
  ZA: 1.5,
  PT: 1.2,
  DK: 1,
  NO: 1,
  IE: 1,
  NZ: 1,
  SG: 1,
  AE: 1,
  EG: 1,
  NG: 1,
});
const SMALL_MARKET_MILLIONS = 0.5;

export interface DemandPrediction {
  readonly titleId: string;
  /** Expected plays in the region over the next 24 hours. */
  readonly expectedPlays: number;
  /** expectedPlays relative to the region's most demanded title, 0..1. */
  readonly score: number;
}

const predictionsBySnapshot = new WeakMap<CatalogSnapshot, Map<string, readonly DemandPrediction[]>>();

/** The region called `name`; NOT_FOUND naming it otherwise. */
export function requireRegion(name: string): NetworkRegion {
  const region = networkRegion(name);
  if (!region) throw new NotFoundError('region', name);
  return region;
}

/**
 * The `limit` titles most in demand in `region` over the next 24 hours, highest first, ties by title_id.
 *
 * Each home country of the region starts DAILY_PLAYS_MILLIONS plays a day, shared among the titles
 * available there in proportion to their trending score in that country (the same score as GetTrending),
 * so a title's expected plays are Σ over the home countries where it is available of
 * dailyPlays(country) × trendingScore(title, country) / Σ trendingScore(country). Titles available in
 * none of the region's countries are not predicted. Memoised per snapshot and region.
 */
export function predictDemand<T extends CatalogTitle>(
  snapshot: CatalogSnapshot<T>,
  region: NetworkRegion,
  limit: number,
): DemandPrediction[] {
  let byRegion = predictionsBySnapshot.get(snapshot);
  if (!byRegion) {
    byRegion = new Map();
    predictionsBySnapshot.set(snapshot, byRegion);
  }
  let predictions = byRegion.get(region.name);
  if (!predictions) {
    predictions = rankDemand(snapshot, region);
    byRegion.set(region.name, predictions);
  }
  return predictions.slice(0, limit);
}

function rankDemand<T extends CatalogTitle>(snapshot: CatalogSnapshot<T>, region: NetworkRegion): DemandPrediction[] {
  const expected = new Map<string, number>();
  for (const country of region.homeCountries) {
    const ranking = snapshot.trendingIn(country);
    const totalScore = ranking.reduce((sum, { score }) => sum + score, 0);
    if (totalScore <= 0) continue;
    const playsPerScore = ((DAILY_PLAYS_MILLIONS[country] ?? SMALL_MARKET_MILLIONS) * 1_000_000) / totalScore;
    for (const { title, score } of ranking) {
      expected.set(title.title_id, (expected.get(title.title_id) ?? 0) + score * playsPerScore);
    }
  }
  const ranked = [...expected].sort(([idA, a], [idB, b]) => b - a || compareIds(idA, idB));
  const top = ranked[0]?.[1] ?? 0;
  return ranked.map(([titleId, expectedPlays]) => ({
    titleId,
    expectedPlays,
    score: top > 0 ? expectedPlays / top : 0,
  }));
}
