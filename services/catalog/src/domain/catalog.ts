import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from '@streamplane/platform/errors';
import { paginate } from '@streamplane/platform/paging';
import { buildEncodingLadder } from './encoding-ladder';
import { DEFAULT_TITLE_COUNT, generateCatalog } from './seed';
import { GENRES } from './title';
import type { Rendition, Title, TitleType } from './title';

/**
 * The catalog's read model: built once from the seed, immutable afterwards, every query answered from
 * indexes prepared at construction (no per-request sorting, no per-request ladder computation).
 *
 * Semantics, for every query:
 * - `country` is an ISO 3166-1 alpha-2 code, compared case-insensitively. The empty string means "no
 *   country filter": internal callers (subtitles, steering, tools) look titles up regardless of region,
 *   while viewer-facing callers always pass the viewer's country. A well-formed code the service does
 *   not operate in simply matches no title.
 * - `genre` is a genre id, compared case-insensitively; the empty string means all genres.
 * - Titles are ordered by title id; search results by rank, then title id.
 * - Errors name the request field (proto names: title_id, title_ids, country, genre, page_token, query)
 *   or the missing title id.
 * - Sizes and lengths (page_size, how many ids a batch may name, how long a query may be) are bounded
 *   where requests arrive, in the api's validation: the catalog answers whatever size it is asked for.
 * - Returned titles and ladders are frozen and shared; callers map them, they do not mutate them.
 */

/** The highest maturity level: a cap at this level filters nothing. */
const MAX_MATURITY_LEVEL = 18;

export interface ListTitlesRequest {
  /** '' = any country. */
  country: string;
  /** '' = all genres. */
  genre: string;
  /** A whole number of at least 1, already bounded by the api. */
  pageSize: number;
  /** '' for the first page. */
  pageToken: string;
  /** Only titles whose maturity level is at most this; undefined = no maturity filter. */
  maxMaturityLevel?: number;
  /** Only titles of this type; undefined = every type. */
  type?: TitleType;
}

export interface ListTitlesResponse {
  titles: Title[];
  /** '' on the last page. */
  nextPageToken: string;
}

export interface SearchTitlesRequest {
  query: string;
  /** '' = any country. */
  country: string;
  /** Most results to return: a whole number of at least 1, already bounded by the api. */
  pageSize: number;
  /** Only titles whose maturity level is at most this; undefined = no maturity filter. */
  maxMaturityLevel?: number;
}

export interface EncodingLadder {
  titleId: string;
  renditions: Rendition[];
}

/** Search ranks, best first. */
const Rank = { Exact: 0, NamePrefix: 1, WordPrefix: 2, Substring: 3 } as const;
type Rank = (typeof Rank)[keyof typeof Rank];
const RANK_COUNT = 4;

/** Lowercase, diacritics stripped, whitespace collapsed: the form names and queries are compared in. */
export function normalizeForSearch(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

function trigramsOf(text: string): Set<string> {
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= text.length; i++) grams.add(text.slice(i, i + 3));
  return grams;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/** How `name` matches `query` (both normalised), or undefined when it does not contain it. */
function rankMatch(name: string, query: string): Rank | undefined {
  if (name === query) return Rank.Exact;
  if (name.startsWith(query)) return Rank.NamePrefix;
  let at = name.indexOf(query, 1);
  if (at < 0) return undefined;
  while (at >= 0) {
    if (!WORD_CHAR.test(name.charAt(at - 1))) return Rank.WordPrefix;
    at = name.indexOf(query, at + 1);
  }
  return Rank.Substring;
}

/** Intersection of ascending integer lists, ascending. */
function intersectSorted(lists: readonly (readonly number[])[]): number[] {
  const ordered = [...lists].sort((x, y) => x.length - y.length);
  let result: number[] = [...(ordered[0] ?? [])];
  for (const list of ordered.slice(1)) {
    const next: number[] = [];
    let j = 0;
    for (const value of result) {
      while (j < list.length && list[j]! < value) j++;
      if (j === list.length) break;
      if (list[j] === value) next.push(value);
    }
    result = next;
    if (result.length === 0) break;
  }
  return result;
}

function quoted(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

function freezeTitle(title: Title): Title {
  return Object.freeze({
    ...title,
    genres: Object.freeze([...title.genres]) as string[],
    availableCountries: Object.freeze([...title.availableCountries].sort()) as string[],
    localizedNames: Object.freeze({ ...title.localizedNames }),
  });
}

export class Catalog {
  /** All titles, frozen, in title id order. Indexes below refer to positions in this array. */
  private readonly titles: readonly Title[];
  private readonly indexById = new Map<string, number>();
  private readonly countriesByIndex: readonly ReadonlySet<string>[];
  /** Lowercase genre ids, by index. */
  private readonly genresByIndex: readonly ReadonlySet<string>[];
  /** Title indexes per country, ascending. */
  private readonly indexesByCountry = new Map<string, number[]>();
  /** Title indexes per genre, ascending. */
  private readonly indexesByGenre = new Map<string, number[]>();
  private readonly knownGenres: readonly string[];
  private readonly ladders = new Map<string, EncodingLadder>();
  /** Normalised names, by index. */
  private readonly searchNames: readonly string[];
  /** Trigram → title indexes whose normalised name contains it, ascending. */
  private readonly trigramIndex = new Map<string, number[]>();
  /** Filtered lists for ListTitles, memoised per (country, genre); bounded by known countries × genres. */
  private readonly listings = new Map<string, readonly Title[]>();

  /** The catalog of the deterministic seed (`tt00001` … `tt02000` by default). */
  static fromSeed(count: number = DEFAULT_TITLE_COUNT): Catalog {
    return new Catalog(generateCatalog(count));
  }

  constructor(titles: readonly Title[]) {
    const sorted = titles.map(freezeTitle).sort((x, y) => (x.titleId < y.titleId ? -1 : x.titleId > y.titleId ? 1 : 0));
    this.titles = Object.freeze(sorted);
    const genres = new Set<string>(GENRES);
    const countriesByIndex: ReadonlySet<string>[] = [];
    const genresByIndex: ReadonlySet<string>[] = [];
    const searchNames: string[] = [];

    sorted.forEach((title, index) => {
      if (this.indexById.has(title.titleId)) throw new Error(`duplicate title id ${title.titleId}`);
      this.indexById.set(title.titleId, index);

      countriesByIndex.push(new Set(title.availableCountries));
      for (const country of title.availableCountries) push(this.indexesByCountry, country, index);
      const titleGenres = new Set(title.genres.map((g) => g.toLowerCase()));
      genresByIndex.push(titleGenres);
      for (const genre of titleGenres) {
        genres.add(genre);
        push(this.indexesByGenre, genre, index);
      }

      const searchName = normalizeForSearch(title.name);
      searchNames.push(searchName);
      for (const gram of trigramsOf(searchName)) push(this.trigramIndex, gram, index);

      const renditions = buildEncodingLadder(title).map((r) => Object.freeze(r));
      this.ladders.set(
        title.titleId,
        Object.freeze({ titleId: title.titleId, renditions: Object.freeze(renditions) as Rendition[] }),
      );
    });

    this.countriesByIndex = countriesByIndex;
    this.genresByIndex = genresByIndex;
    this.searchNames = searchNames;
    this.knownGenres = Object.freeze([...genres].sort());
  }

  /** Number of titles. */
  get size(): number {
    return this.titles.length;
  }

  /** Genre ids, sorted. */
  genres(): string[] {
    return [...this.knownGenres];
  }

  /** Countries at least one title is available in, sorted. */
  countries(): string[] {
    return [...this.indexesByCountry.keys()].sort();
  }

  /**
   * One title. NotFoundError when the id is unknown; FailedPreconditionError when the title exists but is
   * not available in `country` ('' skips the check).
   */
  getTitle(titleId: string, country: string): Title {
    requireId('title_id', titleId);
    const wanted = normalizeCountry(country);
    const index = this.indexOf(titleId);
    if (wanted !== '' && !this.countriesByIndex[index]!.has(wanted)) {
      throw new FailedPreconditionError(`title "${titleId}" is not available in ${wanted}`);
    }
    return this.titles[index]!;
  }

  /**
   * Titles in the requested order (duplicates kept). All ids must exist: the first unknown id fails the
   * whole call with NotFoundError (AIP-231: a batch get is all or nothing). Titles that exist but are not
   * available in `country` are left out rather than failing the call, so a home screen row built from
   * global ids renders what the viewer may watch; compare ids to see what was omitted.
   */
  batchGetTitles(titleIds: readonly string[], country: string): Title[] {
    titleIds.forEach((id, position) => {
      if (id === '') throw new InvalidArgumentError('title_ids', `entry ${position} is empty`);
    });
    const wanted = normalizeCountry(country);
    const indexes = titleIds.map((id) => this.indexOf(id));
    return indexes
      .filter((index) => wanted === '' || this.countriesByIndex[index]!.has(wanted))
      .map((index) => this.titles[index]!);
  }

  /**
   * Titles available in `country` and tagged with `genre`, by title id, one page at a time. Page tokens
   * are opaque and bound to the (country, genre) filter: a token from another filter is rejected with
   * InvalidArgumentError('page_token', …). Page size may change between pages.
   */
  listTitles(request: ListTitlesRequest): ListTitlesResponse {
    const country = normalizeCountry(request.country);
    const genre = this.normalizeGenre(request.genre);
    const maxMaturity = request.maxMaturityLevel ?? MAX_MATURITY_LEVEL;
    const type = request.type;
    let titles = this.listing(country, genre);
    // The optional filters are applied to the memoised (country, genre) list per request: a linear pass
    // over at most a few thousand titles is cheaper than memoising every combination of filters.
    if (maxMaturity < MAX_MATURITY_LEVEL || type !== undefined) {
      titles = titles.filter(
        (title) => title.maturityLevel <= maxMaturity && (type === undefined || title.type === type),
      );
    }
    const page = paginate(titles, request, `titles:${country}:${genre}:${maxMaturity}:${type ?? ''}`);
    return { titles: page.items, nextPageToken: page.nextPageToken };
  }

  /**
   * Titles whose name contains `query`, case- and accent-insensitively, available in `country`, best
   * first: exact name, then name starts with the query, then a word of the name starts with it, then
   * anywhere in the name; ties by title id. At most `pageSize` results.
   */
  searchTitles(request: SearchTitlesRequest): Title[] {
    const query = normalizeForSearch(request.query);
    if (query === '') throw new InvalidArgumentError('query', 'must not be empty');
    const country = normalizeCountry(request.country);
    const maxMaturity = request.maxMaturityLevel ?? MAX_MATURITY_LEVEL;

    const buckets: Title[][] = Array.from({ length: RANK_COUNT }, () => []);
    const consider = (index: number) => {
      if (country !== '' && !this.countriesByIndex[index]!.has(country)) return;
      if (this.titles[index]!.maturityLevel > maxMaturity) return;
      const rank = rankMatch(this.searchNames[index]!, query);
      if (rank !== undefined) buckets[rank]!.push(this.titles[index]!);
    };

    if (query.length >= 3) {
      // Every name containing the query contains all of its trigrams: intersect their postings, then verify.
      const postings: number[][] = [];
      for (const gram of trigramsOf(query)) {
        const list = this.trigramIndex.get(gram);
        if (!list) return [];
        postings.push(list);
      }
      for (const index of intersectSorted(postings)) consider(index);
    } else {
      const scope = country === '' ? undefined : this.indexesByCountry.get(country);
      if (country !== '' && !scope) return [];
      if (scope) for (const index of scope) consider(index);
      else for (let index = 0; index < this.titles.length; index++) consider(index);
    }

    const results: Title[] = [];
    for (const bucket of buckets) {
      for (const title of bucket) {
        if (results.length === request.pageSize) return results;
        results.push(title);
      }
    }
    return results;
  }

  /** The title's precomputed encoding ladder (see encoding-ladder.ts). */
  getEncodingLadder(titleId: string): EncodingLadder {
    requireId('title_id', titleId);
    const ladder = this.ladders.get(titleId);
    if (!ladder) throw new NotFoundError('title', titleId);
    return ladder;
  }

  private indexOf(titleId: string): number {
    const index = this.indexById.get(titleId);
    if (index === undefined) throw new NotFoundError('title', titleId);
    return index;
  }

  private normalizeGenre(genre: string): string {
    if (genre === '') return '';
    const id = genre.toLowerCase();
    if (!this.knownGenres.includes(id)) {
      throw new InvalidArgumentError('genre', `unknown genre ${quoted(genre)}; known: ${this.knownGenres.join(', ')}`);
    }
    return id;
  }

  /** The filtered, id-ordered list for one (normalised) country and genre; memoised. */
  private listing(country: string, genre: string): readonly Title[] {
    if (country !== '' && !this.indexesByCountry.has(country)) return [];
    const key = `${country}:${genre}`;
    const cached = this.listings.get(key);
    if (cached) return cached;

    let titles: readonly Title[];
    if (country === '' && genre === '') {
      titles = this.titles;
    } else {
      const byGenre = genre === '' ? undefined : (this.indexesByGenre.get(genre) ?? []);
      const byCountry = country === '' ? undefined : this.indexesByCountry.get(country)!;
      let indexes: readonly number[];
      if (byGenre && byCountry) {
        indexes =
          byGenre.length <= byCountry.length
            ? byGenre.filter((i) => this.countriesByIndex[i]!.has(country))
            : byCountry.filter((i) => this.genresByIndex[i]!.has(genre));
      } else {
        indexes = (byGenre ?? byCountry)!;
      }
      titles = Object.freeze(indexes.map((i) => this.titles[i]!));
    }
    this.listings.set(key, titles);
    return titles;
  }
}

function push(map: Map<string, number[]>, key: string, index: number): void {
  const list = map.get(key);
  if (list) list.push(index);
  else map.set(key, [index]);
}

function requireId(field: string, id: string): void {
  if (id === '') throw new InvalidArgumentError(field, 'must not be empty');
}

/** '' stays '' (no filter); otherwise an alpha-2 code, upper-cased. */
function normalizeCountry(country: string): string {
  if (country === '') return '';
  if (!/^[A-Za-z]{2}$/.test(country)) {
    throw new InvalidArgumentError(
      'country',
      `must be an ISO 3166-1 alpha-2 code such as "US", got ${quoted(country)}`,
    );
  }
  return country.toUpperCase();
}
