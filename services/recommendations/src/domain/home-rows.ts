import { compareIds, type CatalogSnapshot, type TrendingTitle } from './catalog-snapshot';
import { trendingTitles } from './trending';
import { genreDisplayName, isWatchable, KIDS_SAFE_MATURITY_LEVEL, type CatalogTitle } from './title';

export const DEFAULT_MAX_ROWS = 10;
export const MAX_ROWS = 50;
export const DEFAULT_TITLES_PER_ROW = 20;
export const MAX_TITLES_PER_ROW = 100;

export type RowKind = 'CONTINUE_WATCHING' | 'GENRE' | 'TRENDING';

export interface HomeRow<T extends CatalogTitle> {
  readonly rowId: string;
  readonly title: string;
  readonly kind: RowKind;
  /** Genre slug of a GENRE row; '' otherwise. */
  readonly genre: string;
  /** Never empty. */
  readonly titles: readonly T[];
  /** CONTINUE_WATCHING only: title_id → position to resume from, in seconds. */
  readonly resumePositionSeconds: Readonly<Record<string, number>>;
}

export interface HomeRowsLimits {
  /** Viewing country (ISO 3166-1 alpha-2, upper case). */
  readonly country: string;
  readonly maxRows: number;
  readonly titlesPerRow: number;
}

/** One entry of the profile's viewing history: its latest progress on one title. */
export interface WatchedTitle {
  readonly titleId: string;
  readonly positionSeconds: number;
  readonly completed: boolean;
  /** When the progress was recorded, ms since the epoch. */
  readonly watchedAtMs: number;
}

export interface Personalisation<T extends CatalogTitle> {
  readonly maturityLevel: number;
  readonly history: readonly WatchedTitle[];
  /** The catalog's titles of the history entries, by id (all countries: tastes travel). */
  readonly historyTitles: ReadonlyMap<string, T>;
}

/** A genre's weight falls by this factor with each more recently watched history entry before it. */
const HISTORY_RECENCY_DECAY = 0.9;
/** A title counts fully for its primary genre and this much for each other genre it has. */
const SECONDARY_GENRE_WEIGHT = 0.5;

/**
 * The personalised home screen, in display order: "Continue watching" (unfinished history, most recently
 * watched first), genre rows (genres of what the profile watched first, by weight, then the genres most
 * popular with what the viewer may watch), and "Trending in <country>". Every title is available in the
 * country and within the profile's maturity level; genre rows leave out what the profile has already
 * started or finished and do not repeat each other's titles. Empty rows are dropped. When max_rows cuts,
 * continue-watching is kept first, then trending, then genre rows in order.
 */
export function personalisedHomeRows<T extends CatalogTitle>(
  snapshot: CatalogSnapshot<T>,
  limits: HomeRowsLimits,
  personalisation: Personalisation<T>,
): HomeRow<T>[] {
  const continueWatching = continueWatchingRow(limits, personalisation);
  const trending = trendingRow(snapshot, limits, personalisation.maturityLevel);
  const head = (continueWatching ? [continueWatching] : []).slice(0, limits.maxRows);
  const tail = (trending ? [trending] : []).slice(0, limits.maxRows - head.length);
  const genres = genreRows(snapshot, limits, personalisation, limits.maxRows - head.length - tail.length);
  return [...head, ...genres, ...tail];
}

/**
 * The fallback when personalisation is unavailable: the trending row alone, within the profile's maturity
 * level when profiles answered, within the kids-safe level 7 when it did not.
 */
export function fallbackHomeRows<T extends CatalogTitle>(
  snapshot: CatalogSnapshot<T>,
  limits: HomeRowsLimits,
  knownMaturityLevel: number | undefined,
): HomeRow<T>[] {
  const trending = trendingRow(snapshot, limits, knownMaturityLevel ?? KIDS_SAFE_MATURITY_LEVEL);
  return (trending ? [trending] : []).slice(0, limits.maxRows);
}

function continueWatchingRow<T extends CatalogTitle>(
  limits: HomeRowsLimits,
  { history, historyTitles, maturityLevel }: Personalisation<T>,
): HomeRow<T> | undefined {
  const titles: T[] = [];
  const resumePositionSeconds: Record<string, number> = {};
  for (const entry of newestFirst(history)) {
    if (titles.length >= limits.titlesPerRow) break;
    const title = historyTitles.get(entry.titleId);
    if (entry.completed || !title || !isWatchable(title, limits.country, maturityLevel)) continue;
    titles.push(title);
    resumePositionSeconds[title.title_id] = entry.positionSeconds;
  }
  if (titles.length === 0) return undefined;
  return {
    rowId: 'continue-watching',
    title: 'Continue watching',
    kind: 'CONTINUE_WATCHING',
    genre: '',
    titles,
    resumePositionSeconds,
  };
}

function trendingRow<T extends CatalogTitle>(
  snapshot: CatalogSnapshot<T>,
  { country, titlesPerRow }: HomeRowsLimits,
  maturityLevel: number,
): HomeRow<T> | undefined {
  const titles = trendingTitles(snapshot, country, titlesPerRow, maturityLevel);
  if (titles.length === 0) return undefined;
  return {
    rowId: `trending-${country}`,
    title: `Trending in ${country}`,
    kind: 'TRENDING',
    genre: '',
    titles,
    resumePositionSeconds: {},
  };
}

function genreRows<T extends CatalogTitle>(
  snapshot: CatalogSnapshot<T>,
  limits: HomeRowsLimits,
  personalisation: Personalisation<T>,
  maxRows: number,
): HomeRow<T>[] {
  if (maxRows <= 0) return [];
  const tastes = genreTastes(personalisation);
  const shown = new Set(personalisation.history.map((entry) => entry.titleId));
  const { country, titlesPerRow } = limits;
  const candidates = rankedForProfile(snapshot, country, personalisation.maturityLevel, tastes);
  // Each genre's candidates in rank order, from one pass (not one pass per genre row).
  const candidatesByGenre = new Map<string, T[]>();
  for (const { title } of candidates) {
    for (const genre of title.genres) {
      const titles = candidatesByGenre.get(genre);
      if (titles) titles.push(title);
      else candidatesByGenre.set(genre, [title]);
    }
  }
  const rows: HomeRow<T>[] = [];
  for (const genre of genreOrder(snapshot.genrePopularityIn(country, personalisation.maturityLevel), tastes)) {
    if (rows.length >= maxRows) break;
    const titles: T[] = [];
    for (const title of candidatesByGenre.get(genre) ?? []) {
      if (titles.length >= titlesPerRow) break;
      if (!shown.has(title.title_id)) titles.push(title);
    }
    if (titles.length === 0) continue;
    for (const title of titles) shown.add(title.title_id);
    rows.push({
      rowId: `genre-${genre}`,
      title: genreDisplayName(genre),
      kind: 'GENRE',
      genre,
      titles,
      resumePositionSeconds: {},
    });
  }
  return rows;
}

/**
 * How much the profile likes each genre, 0..1 (1 for its favourite): every history entry adds weight to
 * its title's genres (fully to the primary genre, half to the others), more for recent entries. Empty
 * without history.
 */
export function genreTastes<T extends CatalogTitle>({
  history,
  historyTitles,
}: Pick<Personalisation<T>, 'history' | 'historyTitles'>): Map<string, number> {
  const weights = new Map<string, number>();
  newestFirst(history).forEach((entry, rank) => {
    const title = historyTitles.get(entry.titleId);
    if (!title) return;
    const recency = HISTORY_RECENCY_DECAY ** rank;
    title.genres.forEach((genre, index) => {
      const weight = recency * (index === 0 ? 1 : SECONDARY_GENRE_WEIGHT);
      weights.set(genre, (weights.get(genre) ?? 0) + weight);
    });
  });
  const favourite = Math.max(0, ...weights.values());
  for (const [genre, weight] of weights) weights.set(genre, weight / favourite);
  return weights;
}

/**
 * What the viewer may watch, ranked for the profile: the country's trending score raised by how much the
 * profile likes the title's genres (a drama fan sees dramatic thrillers before other thrillers). Each
 * keeps its plain trending score.
 */
function rankedForProfile<T extends CatalogTitle>(
  snapshot: CatalogSnapshot<T>,
  country: string,
  maturityLevel: number,
  tastes: ReadonlyMap<string, number>,
): readonly TrendingTitle<T>[] {
  const watchable = snapshot.watchableIn(country, maturityLevel);
  // Without tastes the personal score is the trending score: the memoised order already.
  if (tastes.size === 0) return watchable;
  const affinity = (title: T): number => title.genres.reduce((sum, genre) => sum + (tastes.get(genre) ?? 0), 0);
  return watchable
    .map((candidate) => ({ candidate, personal: candidate.score * (1 + affinity(candidate.title)) }))
    .sort((a, b) => b.personal - a.personal || compareIds(a.candidate.title.title_id, b.candidate.title.title_id))
    .map(({ candidate }) => candidate);
}

/**
 * Genres in row order: those the profile watched, by taste; then every other genre of the candidates by
 * how much its titles trend with this viewer's country and maturity (the whole order for a profile without
 * history). Ties by slug.
 */
function genreOrder(popularity: ReadonlyMap<string, number>, tastes: ReadonlyMap<string, number>): string[] {
  const byDescending =
    (weights: ReadonlyMap<string, number>) =>
    (a: string, b: string): number =>
      (weights.get(b) ?? 0) - (weights.get(a) ?? 0) || compareIds(a, b);
  const watched = [...tastes.keys()].sort(byDescending(tastes));
  const others = [...popularity.keys()].filter((genre) => !tastes.has(genre)).sort(byDescending(popularity));
  return [...watched, ...others];
}

/** History entries, most recently watched first (stable for equal times). */
function newestFirst(history: readonly WatchedTitle[]): WatchedTitle[] {
  return [...history].sort((a, b) => b.watchedAtMs - a.watchedAtMs);
}
