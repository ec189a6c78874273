/**
 * The catalog's vocabulary: titles, renditions, genres and maturity ratings. Plain data, no transport:
 * the gRPC controller maps these camelCase shapes to the snake_case proto messages.
 */

export type TitleType = 'MOVIE' | 'SERIES' | 'DOCUMENTARY' | 'SPECIAL';

export const TITLE_TYPES: readonly TitleType[] = ['MOVIE', 'SERIES', 'DOCUMENTARY', 'SPECIAL'];

/** Maturity levels are ages: 0 (all ages), 7, 13, 16, 18. */
export type MaturityLevel = 0 | 7 | 13 | 16 | 18;

export const MATURITY_LEVELS: readonly MaturityLevel[] = [0, 7, 13, 16, 18];

export interface Title {
  titleId: string;
  name: string;
  type: TitleType;
  /** 1–3 genre ids from {@link GENRES}, the first being the primary genre. */
  genres: string[];
  /** Display label (G, PG, PG-13, R, NC-17, TV-Y, TV-Y7, TV-G, TV-PG, TV-14, TV-MA). */
  maturityRating: string;
  /** The age the rating stands for: `MATURITY_RATINGS[maturityRating]`. */
  maturityLevel: MaturityLevel;
  releaseYear: number;
  /** Feature length for movies and documentaries, episode length for series, show length for specials. */
  runtimeMinutes: number;
  /** ISO 3166-1 alpha-2 codes, sorted. */
  availableCountries: string[];
  synopsis: string;
  hdrAvailable: boolean;
  /** Marketing names by BCP 47 language tag (`es`, `fr`, `de`); absent languages use `name`. */
  localizedNames: Record<string, string>;
  /** 0..1, how hard the picture is to encode; drives the bitrates of the title's encoding ladder. */
  complexity: number;
}

export interface Rendition {
  codec: 'h264' | 'hevc';
  width: number;
  height: number;
  bitrateKbps: number;
  hdr: boolean;
}

/** Genre ids, sorted. Genre ids are lowercase; filters compare case-insensitively. */
export const GENRES: readonly string[] = [
  'action',
  'adventure',
  'animation',
  'comedy',
  'crime',
  'documentary',
  'drama',
  'family',
  'fantasy',
  'horror',
  'kids',
  'musical',
  'mystery',
  'reality',
  'romance',
  'sci-fi',
  'stand-up',
  'thriller',
];

/**
 * Rating label → maturity level (age). US film (MPA) and TV Parental Guidelines labels, grouped the way
 * streaming services group them into age bands:
 *
 * | level | film        | TV                          |
 * |-------|-------------|-----------------------------|
 * | 0     | G           | TV-Y, TV-G                  |
 * | 7     | PG          | TV-Y7, TV-Y7-FV, TV-PG      |
 * | 13    | PG-13       | TV-14                       |
 * | 16    | R           | —                           |
 * | 18    | NC-17       | TV-MA                       |
 *
 * R admits under-17s with a parent, so it sits in the 16 band; NC-17 and TV-MA ("mature audiences only")
 * are adults only. TV labels therefore never produce 16: a TV title mature enough for 16 is rated TV-MA.
 */
export const MATURITY_RATINGS: Readonly<Record<string, MaturityLevel>> = Object.freeze({
  G: 0,
  'TV-Y': 0,
  'TV-G': 0,
  PG: 7,
  'TV-Y7': 7,
  'TV-Y7-FV': 7,
  'TV-PG': 7,
  'PG-13': 13,
  'TV-14': 13,
  R: 16,
  'NC-17': 18,
  'TV-MA': 18,
});

/** The maturity level of a rating label, or undefined when the label is not one this catalog uses. */
export function maturityLevelOf(rating: string): MaturityLevel | undefined {
  return Object.prototype.hasOwnProperty.call(MATURITY_RATINGS, rating) ? MATURITY_RATINGS[rating] : undefined;
}

export function isMaturityLevel(value: number): value is MaturityLevel {
  return (MATURITY_LEVELS as readonly number[]).includes(value);
}
