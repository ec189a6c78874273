import { InvalidArgumentError } from '@streamplane/platform/errors';
import { isWellFormedLanguageTag } from './languages';
import { quoted } from './util';

/**
 * Track model and track ids.
 *
 * A track id is `<title_id>-<language>-<kind code>` (the format the proto documents, e.g.
 * "tt00001-en-cc", "tt00042-es-419-sub", "tt00007-zh-Hans-fn"). Because the id carries everything that
 * identifies a track, GetTrack needs no index: the application parses the id, fetches that title from
 * catalog, and the domain regenerates the track. The language may itself contain hyphens, so the id is
 * read from both ends: the title id is everything before the first hyphen (title ids never contain one)
 * and the kind code is the last segment.
 */

export type TrackKind = 'SUBTITLES' | 'CLOSED_CAPTIONS' | 'FORCED_NARRATIVE';

/** Kinds in the order tracks of one language are listed (the proto enum order). */
export const TRACK_KINDS: readonly TrackKind[] = Object.freeze(['SUBTITLES', 'CLOSED_CAPTIONS', 'FORCED_NARRATIVE']);

/** The kind segment of a track id. */
export const KIND_CODES: Readonly<Record<TrackKind, string>> = Object.freeze({
  SUBTITLES: 'sub',
  CLOSED_CAPTIONS: 'cc',
  FORCED_NARRATIVE: 'fn',
});

const KIND_BY_CODE: ReadonlyMap<string, TrackKind> = new Map(
  TRACK_KINDS.map((kind) => [KIND_CODES[kind], kind] as const),
);

/** The only content type the service produces. */
export const VTT_FORMAT = 'text/vtt';

/** What the subtitles domain needs to know about a title; the application gets it from catalog. */
export interface TitleFacts {
  titleId: string;
  name: string;
  runtimeMinutes: number;
}

export interface SubtitleTrack {
  trackId: string;
  titleId: string;
  /** BCP-47 tag in canonical case ("en", "es-419", "pt-BR"). */
  language: string;
  kind: TrackKind;
  /** Track-picker label ("English [CC]", "Español (Latinoamérica)"). */
  label: string;
  format: typeof VTT_FORMAT;
}

/** A track with its WebVTT document, as GetTrack returns it. */
export interface SubtitleTrackWithContent extends SubtitleTrack {
  content: string;
}

export interface ParsedTrackId {
  titleId: string;
  language: string;
  kind: TrackKind;
}

/** Title ids as the catalog issues them: letters, digits and underscores, never a hyphen. */
const TITLE_ID = /^[A-Za-z0-9_]+$/;
const TRACK_ID = /^([A-Za-z0-9_]+)-(.+)-([a-z]+)$/;

export function isTitleIdUsable(titleId: string): boolean {
  return TITLE_ID.test(titleId);
}

export function formatTrackId(titleId: string, language: string, kind: TrackKind): string {
  return `${titleId}-${language}-${KIND_CODES[kind]}`;
}

/**
 * Splits a track id into its parts. Throws InvalidArgumentError('track_id', …) when it is empty or not of
 * the form `<title_id>-<language>-<sub|cc|fn>` with a well-formed BCP-47 language. A well-formed id says
 * nothing about whether the track exists: that is for getTrack to decide (NotFound).
 */
export function parseTrackId(trackId: string): ParsedTrackId {
  if (trackId === '') throw new InvalidArgumentError('track_id', 'must not be empty');
  const match = TRACK_ID.exec(trackId);
  const kind = match ? KIND_BY_CODE.get(match[3]!) : undefined;
  if (!match || kind === undefined || !isWellFormedLanguageTag(match[2]!)) {
    throw new InvalidArgumentError(
      'track_id',
      `${quoted(trackId)} is not a track id; expected "<title_id>-<language>-<sub|cc|fn>", e.g. "tt00001-en-cc"`,
    );
  }
  return { titleId: match[1]!, language: match[2]!, kind };
}
