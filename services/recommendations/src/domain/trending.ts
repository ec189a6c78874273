import type { CatalogSnapshot } from './catalog-snapshot';
import type { CatalogTitle } from './title';

export const DEFAULT_TRENDING_LIMIT = 20;
export const MAX_TRENDING_LIMIT = 100;

/**
 * The `limit` most trending titles in `country`, most trending first; with `maxMaturityLevel`, only titles
 * at or below it.
 */
export function trendingTitles<T extends CatalogTitle>(
  snapshot: CatalogSnapshot<T>,
  country: string,
  limit: number,
  maxMaturityLevel = Infinity,
): T[] {
  const titles: T[] = [];
  for (const { title } of snapshot.trendingIn(country)) {
    if (titles.length >= limit) break;
    if (title.maturity_level <= maxMaturityLevel) titles.push(title);
  }
  return titles;
}
