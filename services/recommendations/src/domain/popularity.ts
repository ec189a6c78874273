import { hashString } from '@streamplane/streaming';
import type { CatalogTitle } from './title';

/**
 * How much titles are watched. Recommendations has no play logs, so popularity is modelled: deterministic
 * (same catalog, same numbers on every instance and restart, no clock) and plausible in shape.
 */
export interface PopularityModel {
  /** How much a title is watched everywhere; > 0. `newestReleaseYear` anchors recency without a clock. */
  popularity(title: CatalogTitle, newestReleaseYear: number): number;
  /** How much more (> 1) or less (< 1) than elsewhere a title is watched in `country`; > 0. */
  countryAffinity(titleId: string, country: string): number;
}

/** The lowest appeal, so every title is watched a little: catalogs have a long tail, not a cliff. */
const APPEAL_FLOOR = 0.05;
/** u⁴ of a uniform u: most titles get little appeal and a few are hits, as in real play counts. */
const APPEAL_SKEW = 4;
/** A title loses half of its recency boost every this many years after the newest release. */
const RECENCY_HALF_LIFE_YEARS = 3;
/** What recency still contributes to a title released long ago (classics keep an audience). */
const RECENCY_FLOOR = 0.15;
/** Country tastes move a title's popularity by up to ±20 %: enough to reorder neighbours, not to invert hits. */
const COUNTRY_SPREAD = 0.2;

/** A float in [0, 1) that depends only on `key`. */
function unitHash(key: string): number {
  return hashString(key) / 2 ** 32;
}

/**
 * The default model: popularity = appeal × recency, where appeal is seeded from the title id (floor 0.05,
 * heavy-tailed up to 1.05) and recency halves every 3 years before the catalog's newest release year
 * (never below 0.15); the country affinity is a seeded factor in [0.8, 1.2) per (country, title).
 */
export const SEEDED_POPULARITY: PopularityModel = {
  popularity(title, newestReleaseYear) {
    const appeal = APPEAL_FLOOR + unitHash(`appeal:${title.title_id}`) ** APPEAL_SKEW;
    const age = Math.max(0, newestReleaseYear - title.release_year);
    const recency = RECENCY_FLOOR + (1 - RECENCY_FLOOR) * 0.5 ** (age / RECENCY_HALF_LIFE_YEARS);
    return appeal * recency;
  },
  countryAffinity(titleId, country) {
    return 1 - COUNTRY_SPREAD + 2 * COUNTRY_SPREAD * unitHash(`affinity:${country}:${titleId}`);
  },
};
