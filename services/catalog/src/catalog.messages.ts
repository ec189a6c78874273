/**
 * The proto messages of streamplane.catalog.v1 as proto-loader hands them over (snake_case fields,
 * enums by name, `optional` fields possibly absent), and the mapping from domain objects to them.
 */
import type { EncodingLadder, Rendition, Title } from './domain';

export interface GetTitleRequest {
  title_id: string;
  country: string;
}

export interface BatchGetTitlesRequest {
  title_ids: string[];
  country: string;
}

export interface ListTitlesRequest {
  country: string;
  genre: string;
  page_size?: number;
  page_token: string;
  max_maturity_level?: number;
  /** A TitleType name, or a number when the caller sent a value this server does not know. */
  type: string | number;
}

export interface SearchTitlesRequest {
  query: string;
  country: string;
  page_size?: number;
  max_maturity_level?: number;
}

export interface GetEncodingLadderRequest {
  title_id: string;
}

export interface TitleMessage {
  title_id: string;
  name: string;
  type: string;
  genres: string[];
  maturity_rating: string;
  maturity_level: number;
  release_year: number;
  runtime_minutes: number;
  available_countries: string[];
  synopsis: string;
  hdr_available: boolean;
  localized_names: Record<string, string>;
}

export interface RenditionMessage {
  codec: string;
  width: number;
  height: number;
  bitrate_kbps: number;
  hdr: boolean;
}

export interface EncodingLadderMessage {
  title_id: string;
  renditions: RenditionMessage[];
}

// Titles are immutable, so each one's message is built once and then reused by every response.
const titleMessages = new WeakMap<Title, TitleMessage>();

export function toTitleMessage(title: Title): TitleMessage {
  let message = titleMessages.get(title);
  if (!message) {
    message = {
      title_id: title.titleId,
      name: title.name,
      type: `TITLE_TYPE_${title.type}`,
      genres: title.genres,
      maturity_rating: title.maturityRating,
      maturity_level: title.maturityLevel,
      release_year: title.releaseYear,
      runtime_minutes: title.runtimeMinutes,
      available_countries: title.availableCountries,
      synopsis: title.synopsis,
      hdr_available: title.hdrAvailable,
      localized_names: title.localizedNames,
    };
    titleMessages.set(title, message);
  }
  return message;
}

function toRenditionMessage(rendition: Rendition): RenditionMessage {
  return {
    codec: rendition.codec,
    width: rendition.width,
    height: rendition.height,
    bitrate_kbps: rendition.bitrateKbps,
    hdr: rendition.hdr,
  };
}

export function toEncodingLadderMessage(ladder: EncodingLadder): EncodingLadderMessage {
  return { title_id: ladder.titleId, renditions: ladder.renditions.map(toRenditionMessage) };
}
