import { compareIds, type AudienceIndex, type CatalogSnapshot, type TrendingTitle } from './catalog-snapshot';
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
  const { country, titlesPerRow } = limits;
  const { maturityLevel, history } = personalisation;
  const tastes = genreTastes(personalisation);
  const watchable = snapshot.watchableIn(country, maturityLevel);
  const index = snapshot.audienceIndex(country, maturityLevel);
  const ranking = { personal: personalScores(watchable, index, tastes), idRank: index.idRank };
  const shown = new Uint8Array(watchable.length);
  for (const { titleId } of history) {
    const position = index.positionOf.get(titleId);
    if (position !== undefined) shown[position] = 1;
  }
  const rows: HomeRow<T>[] = [];
  for (const genre of genreOrder(snapshot.genrePopularityIn(country, maturityLevel), tastes)) {
    if (rows.length >= maxRows) break;
    const number = index.genres.get(genre);
    if (number === undefined) continue;
    const best = bestUnshown(index.titlesOf[number]!, ranking, shown, titlesPerRow);
    if (best.length === 0) continue;
    for (const position of best) shown[position] = 1;
    rows.push({
      rowId: `genre-${genre}`,
      title: genreDisplayName(genre),
      kind: 'GENRE',
      genre,
      titles: best.map((position) => watchable[position]!.title),
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
 * How the profile ranks what it may watch: the country's trending score raised by how much the profile
 * likes the title's genres (a drama fan sees dramatic thrillers before other thrillers), per position of
 * watchableIn. Without tastes, the trending score itself.
 */
function personalScores<T extends CatalogTitle>(
  watchable: readonly TrendingTitle<T>[],
  index: AudienceIndex,
  tastes: ReadonlyMap<string, number>,
): Float64Array {
  const tasteOf = new Float64Array(index.genres.size);
  for (const [genre, taste] of tastes) {
    const number = index.genres.get(genre);
    if (number !== undefined) tasteOf[number] = taste;
  }
  const personal = new Float64Array(watchable.length);
  for (let position = 0; position < watchable.length; position++) {
    let affinity = 0;
    for (const genre of index.genresOf[position]!) affinity += tasteOf[genre]!;
    personal[position] = watchable[position]!.score * (1 + affinity);
  }
  return personal;
}

/**
 * The `count` best of `members` not shown yet, best first: highest personal score, ties by title_id.
 * One pass keeping the best so far in order, instead of sorting every member for the few a row shows.
 */
function bestUnshown(
  members: Int32Array,
  { personal, idRank }: { personal: Float64Array; idRank: Int32Array },
  shown: Uint8Array,
  count: number,
): number[] {
  const ranksBefore = (a: number, b: number): boolean =>
    personal[a]! > personal[b]! || (personal[a] === personal[b] && idRank[a]! < idRank[b]!);
  const best: number[] = [];
  for (const position of members) {
    if (shown[position]) continue;
    const full = best.length === count;
    if (full && !ranksBefore(position, best[count - 1]!)) continue;
    // Into its place, moving the ones it beats down (the last drops out when the list is full).
    let slot = full ? count - 1 : best.length;
    while (slot > 0 && ranksBefore(position, best[slot - 1]!)) {
      best[slot] = best[slot - 1]!;
      slot -= 1;
    }
    best[slot] = position;
  }
  return best;
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
