import { InvalidArgumentError, NotFoundError } from '@streamplane/platform/errors';
import { paginate } from '@streamplane/platform/paging';
import { buildTrackContent } from './content';
import { ENGLISH, OTHER_LANGUAGES, languageMatches } from './languages';
import type { SubtitleLanguage } from './languages';
import { SeededRandom } from '@streamplane/streaming';
import { TRACK_KINDS, VTT_FORMAT, formatTrackId, isTitleIdUsable, parseTrackId } from './track';
import type { SubtitleTrack, SubtitleTrackWithContent, TitleFacts, TrackKind } from './track';
import { quoted } from './util';

/**
 * The subtitles service's rules. Stateless: the tracks of a title are a pure function of its id (and the
 * content also of its name and runtime), regenerated on every call. That costs a few dozen PRNG draws
 * per call, needs no store, and cannot drift from what catalog says about the title.
 *
 * The service does not own titles: the application fetches the title from catalog (NotFound when it does
 * not exist), then passes its facts here. For GetTrack it learns which title to fetch with
 * {@link parseTrackId}. Requests arrive checked by the api (ids, page sizes, language filters).
 *
 * Generation, per title (seeded by the title id only, so a catalog edit to a runtime or name never
 * changes which tracks exist or their ids):
 * - English subtitles and English closed captions, always;
 * - 3–12 other languages out of {@link OTHER_LANGUAGES}, each with subtitles, and with closed captions
 *   for about one in three of the languages that have sound descriptions;
 * - about 30 % of titles have a foreign-language passage or on-screen text, and so an English forced
 *   narrative, plus a forced narrative in about half of their other languages.
 */

export const MIN_OTHER_LANGUAGES = 3;
export const MAX_OTHER_LANGUAGES = 12;
const FORCED_NARRATIVE_RATE = 0.3;
const FORCED_PER_LANGUAGE_RATE = 0.5;
const CAPTIONS_PER_LANGUAGE_RATE = 1 / 3;

/** The page size when a client leaves page_size unset (proto: 50). */
export const DEFAULT_PAGE_SIZE = 50;
/** Largest page_size the proto allows (the api checks it). */
export const MAX_PAGE_SIZE = 200;
/** Most entries in a language filter; more is certainly not a track picker (the api checks it). */
export const MAX_LANGUAGE_FILTERS = 50;

const KIND_LABEL_SUFFIX: Readonly<Record<TrackKind, string>> = {
  SUBTITLES: '',
  CLOSED_CAPTIONS: ' [CC]',
  FORCED_NARRATIVE: ' [Forced]',
};

export interface ListTracksRequest {
  /** Well-formed BCP-47 tags, at most MAX_LANGUAGE_FILTERS; empty = every language. */
  languages: readonly string[];
  /** Undefined = DEFAULT_PAGE_SIZE; otherwise 1–MAX_PAGE_SIZE. */
  pageSize?: number | undefined;
  /** '' for the first page. */
  pageToken: string;
}

export interface ListTracksResponse {
  tracks: SubtitleTrack[];
  /** '' on the last page. */
  nextPageToken: string;
}

/** "English [CC]", "Español (Latinoamérica)", "日本語 [Forced]". */
export function trackLabel(language: SubtitleLanguage, kind: TrackKind): string {
  return language.name + KIND_LABEL_SUFFIX[kind];
}

/**
 * Every track of the title, ordered by language tag (code-unit order of the lower-cased tag, so "es"
 * comes before "es-419" and the order does not depend on a locale), then kind in proto enum order
 * (subtitles, closed captions, forced narrative). InvalidArgumentError('title_id', …) for an id that is
 * not letters, digits and "_" only.
 */
export function tracksForTitle(titleId: string): SubtitleTrack[] {
  requireTrackableTitleId(titleId);
  const rng = new SeededRandom(`tracks:${titleId}`);
  const others = rng.sample(OTHER_LANGUAGES, rng.int(MIN_OTHER_LANGUAGES, MAX_OTHER_LANGUAGES));
  const forced = rng.chance(FORCED_NARRATIVE_RATE);

  const kindsByLanguage: [SubtitleLanguage, TrackKind[]][] = [
    [ENGLISH, forced ? ['SUBTITLES', 'CLOSED_CAPTIONS', 'FORCED_NARRATIVE'] : ['SUBTITLES', 'CLOSED_CAPTIONS']],
  ];
  for (const language of others) {
    const kinds: TrackKind[] = ['SUBTITLES'];
    // Draw both chances for every language, whatever the outcome, so one decision never shifts the next.
    const captions = rng.chance(CAPTIONS_PER_LANGUAGE_RATE) && language.sounds !== undefined;
    const narrative = rng.chance(FORCED_PER_LANGUAGE_RATE) && forced;
    if (captions) kinds.push('CLOSED_CAPTIONS');
    if (narrative) kinds.push('FORCED_NARRATIVE');
    kindsByLanguage.push([language, kinds]);
  }

  kindsByLanguage.sort(([x], [y]) => compareTags(x.tag, y.tag));
  return kindsByLanguage.flatMap(([language, kinds]) =>
    [...kinds]
      .sort((x, y) => TRACK_KINDS.indexOf(x) - TRACK_KINDS.indexOf(y))
      .map((kind) => ({
        trackId: formatTrackId(titleId, language.tag, kind),
        titleId,
        language: language.tag,
        kind,
        label: trackLabel(language, kind),
        format: VTT_FORMAT,
      })),
  );
}

/**
 * One page of the title's tracks (without content), filtered by language. A track passes the filter
 * when any entry matches it by RFC 4647 basic filtering, case-insensitively ("en" matches "en" and
 * "en-GB"; see languageMatches). Page tokens are bound to the title and the filter (as a set, so order,
 * case and duplicates of the entries do not matter): a token from another title or filter is rejected
 * with InvalidArgumentError('page_token', …).
 *
 * Errors: InvalidArgumentError for 'page_token' (see above) and 'title_id' (see tracksForTitle).
 */
export function listTracks(title: TitleFacts, request: ListTracksRequest): ListTracksResponse {
  const filters = languageFilterSet(request.languages);
  const pageSize = request.pageSize ?? DEFAULT_PAGE_SIZE;
  let tracks = tracksForTitle(title.titleId);
  if (filters.length > 0) {
    tracks = tracks.filter((track) => filters.some((range) => languageMatches(range, track.language)));
  }
  const page = paginate(
    tracks,
    { pageSize, pageToken: request.pageToken },
    `tracks:${title.titleId}:${filters.join(',')}`,
  );
  return { tracks: page.items, nextPageToken: page.nextPageToken };
}

/**
 * One track with its WebVTT content. `title` must be the title the id names (the application fetches it
 * using parseTrackId(trackId).titleId).
 *
 * Errors: InvalidArgumentError('track_id', …) when the id is empty or malformed; NotFoundError('subtitle
 * track', trackId) when the title has no track with exactly that id (an unknown language or kind, a
 * different spelling of the language tag, or a title other than the one the id names: in every case no
 * track of `title` has that id).
 */
export function getTrack(trackId: string, title: TitleFacts): SubtitleTrackWithContent {
  const parsed = parseTrackId(trackId);
  if (parsed.titleId !== title.titleId) throw new NotFoundError('subtitle track', trackId);
  const track = tracksForTitle(title.titleId).find((candidate) => candidate.trackId === trackId);
  if (!track) throw new NotFoundError('subtitle track', trackId);
  return { ...track, content: buildTrackContent(track, title) };
}

/** The filter as a set: its entries lower-cased, de-duplicated and sorted. */
function languageFilterSet(languages: readonly string[]): string[] {
  return [...new Set(languages.map((tag) => tag.toLowerCase()))].sort();
}

/**
 * Track ids are read from both ends on the rule that a title id has no hyphen (see track.ts): a title
 * whose id breaks it could be given tracks that GetTrack cannot find again.
 */
function requireTrackableTitleId(titleId: string): void {
  if (!isTitleIdUsable(titleId)) {
    throw new InvalidArgumentError('title_id', `${quoted(titleId)} is not a title id (letters, digits, "_")`);
  }
}

function compareTags(x: string, y: string): number {
  const a = x.toLowerCase();
  const b = y.toLowerCase();
  return a < b ? -1 : a > b ? 1 : 0;
}
