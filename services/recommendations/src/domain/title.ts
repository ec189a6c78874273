/**
 * A catalog title as recommendations receives it from catalog (a streamplane.catalog.v1.Title, proto field
 * names). Recommendations has no title data of its own and hands these objects back to its callers
 * unchanged, so the domain names only the fields it reasons about and stays generic over the rest.
 */
export interface CatalogTitle {
  readonly title_id: string;
  /** Genre slugs; the first is the primary genre. */
  readonly genres: readonly string[];
  readonly maturity_level: number;
  readonly release_year: number;
  /** ISO 3166-1 alpha-2 codes, upper case. */
  readonly available_countries: readonly string[];
}

/**
 * The kids-safe maturity ceiling. When the viewer's own level is unknown (profiles unreachable), nothing
 * above it is shown: too little is better than a horror film on a child's screen.
 */
export const KIDS_SAFE_MATURITY_LEVEL = 7;

/** What a viewer in `country` allowed titles up to `maxMaturityLevel` may be shown. */
export function isWatchable(title: CatalogTitle, country: string, maxMaturityLevel: number): boolean {
  return title.maturity_level <= maxMaturityLevel && title.available_countries.includes(country);
}

/** Display heading of a genre row: "drama" → "Drama", "sci-fi" → "Sci-Fi". */
export function genreDisplayName(slug: string): string {
  return slug
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('-');
}
