import type { CatalogTitle, PopularityModel } from '../../src/domain';

/** A title shaped like catalog's (extra fields pass through untouched, as name does here). */
export interface TestTitle extends CatalogTitle {
  readonly name: string;
}

let sequence = 0;

export function aTitle(overrides: Partial<TestTitle> = {}): TestTitle {
  sequence += 1;
  const titleId = overrides.title_id ?? `tt${String(90_000 + sequence).padStart(5, '0')}`;
  return {
    title_id: titleId,
    name: `Title ${titleId}`,
    genres: ['drama'],
    maturity_level: 0,
    release_year: 2020,
    available_countries: ['DE', 'US'],
    ...overrides,
  };
}

/**
 * A popularity model the test controls: popularity from the table (1 for titles not listed), country
 * affinity from the table keyed "<country>:<title_id>" (1 otherwise).
 */
export function fixedPopularity(
  popularity: Readonly<Record<string, number>>,
  affinity: Readonly<Record<string, number>> = {},
): PopularityModel {
  return {
    popularity: (title) => popularity[title.title_id] ?? 1,
    countryAffinity: (titleId, country) => affinity[`${country}:${titleId}`] ?? 1,
  };
}

export const ids = (titles: readonly CatalogTitle[]): string[] => titles.map((title) => title.title_id);
