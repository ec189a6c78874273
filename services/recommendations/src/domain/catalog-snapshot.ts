import { SEEDED_POPULARITY, type PopularityModel } from './popularity';
import type { CatalogTitle } from './title';

/** A title with its trending score in one country. */
export interface TrendingTitle<T extends CatalogTitle> {
  readonly title: T;
  readonly score: number;
}

/**
 * Every title of the catalog at one moment, with the popularity model applied to it. Immutable: a refresh
 * builds a new snapshot, so rankings derived from one (trending per country, demand per region) are
 * computed once and memoised for its lifetime.
 */
export class CatalogSnapshot<T extends CatalogTitle = CatalogTitle> {
  /** By title_id. */
  readonly titles: readonly T[];
  private readonly titlesById: ReadonlyMap<string, T>;
  private readonly popularityById: ReadonlyMap<string, number>;
  private readonly trendingByCountry = new Map<string, readonly TrendingTitle<T>[]>();
  private readonly watchableByAudience = new Map<string, Audience<T>>();

  constructor(
    titles: readonly T[],
    readonly model: PopularityModel = SEEDED_POPULARITY,
  ) {
    // Keyed by id first, so a title listed twice counts once.
    const byId = new Map(titles.map((title) => [title.title_id, title]));
    this.titlesById = byId;
    this.titles = [...byId.values()].sort((a, b) => compareIds(a.title_id, b.title_id));
    const newestReleaseYear = this.titles.reduce((newest, title) => Math.max(newest, title.release_year), 0);
    this.popularityById = new Map(
      this.titles.map((title) => [title.title_id, model.popularity(title, newestReleaseYear)]),
    );
  }

  get size(): number {
    return this.titles.length;
  }

  /** The title with this id, when the snapshot holds it. */
  title(titleId: string): T | undefined {
    return this.titlesById.get(titleId);
  }

  /** Global popularity of a title (0 for a title this snapshot does not hold). */
  popularityOf(titleId: string): number {
    return this.popularityById.get(titleId) ?? 0;
  }

  /**
   * Titles available in `country`, most trending first (ties by title_id): popularity × the country's
   * affinity for the title. Memoised per country that has titles.
   */
  trendingIn(country: string): readonly TrendingTitle<T>[] {
    let ranking = this.trendingByCountry.get(country);
    if (!ranking) {
      ranking = this.titles
        .filter((title) => title.available_countries.includes(country))
        .map((title) => ({
          title,
          score: this.popularityOf(title.title_id) * this.model.countryAffinity(title.title_id, country),
        }))
        .sort((a, b) => b.score - a.score || compareIds(a.title.title_id, b.title.title_id));
      // Unknown countries are not remembered: a caller inventing codes must not grow the memo.
      if (ranking.length === 0) return ranking;
      this.trendingByCountry.set(country, ranking);
    }
    return ranking;
  }

  /**
   * Titles trending in `country` that a viewer of `maturityLevel` may watch, in trending order. Memoised
   * per country and level (levels are few), like trendingIn.
   */
  watchableIn(country: string, maturityLevel: number): readonly TrendingTitle<T>[] {
    return this.audience(country, maturityLevel).titles;
  }

  /** watchableIn(country, maturityLevel) indexed for ranking by genre (AudienceIndex); memoised with it. */
  audienceIndex(country: string, maturityLevel: number): AudienceIndex {
    const audience = this.audience(country, maturityLevel);
    audience.index ??= indexAudience(audience.titles);
    return audience.index;
  }

  /** Per genre, the sum of the trending scores of watchableIn(country, maturityLevel) holding it. */
  genrePopularityIn(country: string, maturityLevel: number): ReadonlyMap<string, number> {
    return this.audience(country, maturityLevel).genrePopularity;
  }

  private audience(country: string, maturityLevel: number): Audience<T> {
    const key = `${country} ${maturityLevel}`;
    let audience = this.watchableByAudience.get(key);
    if (!audience) {
      const titles = this.trendingIn(country).filter(({ title }) => title.maturity_level <= maturityLevel);
      const genrePopularity = new Map<string, number>();
      for (const { title, score } of titles) {
        for (const genre of title.genres) genrePopularity.set(genre, (genrePopularity.get(genre) ?? 0) + score);
      }
      audience = { titles, genrePopularity };
      if (titles.length === 0) return audience;
      this.watchableByAudience.set(key, audience);
    }
    return audience;
  }
}

/** What a viewer in one country at one maturity level may watch, ranked, and how much each genre of it trends. */
interface Audience<T extends CatalogTitle> {
  readonly titles: readonly TrendingTitle<T>[];
  readonly genrePopularity: ReadonlyMap<string, number>;
  index?: AudienceIndex;
}

/**
 * An audience's titles as numbers, for ranking them per profile on every home screen without string
 * lookups: a title is its position in watchableIn's order, a genre its position in `genres`.
 */
export interface AudienceIndex {
  /** Genre slug → genre number. */
  readonly genres: ReadonlyMap<string, number>;
  /** Per title, its genres' numbers, in the title's own order. */
  readonly genresOf: readonly Uint16Array[];
  /** Per genre number, the titles holding it, in trending order. */
  readonly titlesOf: readonly Int32Array[];
  /** Per title, its rank by title_id (the tie-break of equal scores). */
  readonly idRank: Int32Array;
  /** title_id → title. */
  readonly positionOf: ReadonlyMap<string, number>;
}

function indexAudience<T extends CatalogTitle>(titles: readonly TrendingTitle<T>[]): AudienceIndex {
  const genres = new Map<string, number>();
  const members: number[][] = [];
  const genresOf = titles.map(({ title }, position) => {
    const numbers = title.genres.map((genre) => {
      let number = genres.get(genre);
      if (number === undefined) {
        number = genres.size;
        genres.set(genre, number);
        members.push([]);
      }
      return number;
    });
    for (const number of new Set(numbers)) members[number]!.push(position);
    return Uint16Array.from(numbers);
  });
  const idRank = new Int32Array(titles.length);
  titles
    .map(({ title }, position) => ({ id: title.title_id, position }))
    .sort((a, b) => compareIds(a.id, b.id))
    .forEach(({ position }, rank) => (idRank[position] = rank));
  return {
    genres,
    genresOf,
    titlesOf: members.map((positions) => Int32Array.from(positions)),
    idRank,
    positionOf: new Map(titles.map(({ title }, position) => [title.title_id, position])),
  };
}

/** Ordinal comparison, the order catalog lists titles in ("tt00002" before "tt00010"). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
