import {
  boundedList,
  optionalCountry,
  optionalInteger,
  optionalText,
  pageSize,
  requireEnum,
  requireId,
  requireText,
} from '@streamplane/platform';
import type {
  BatchGetTitlesRequest,
  GetEncodingLadderRequest,
  GetTitleRequest,
  ListTitlesRequest,
  SearchTitlesRequest,
} from '@streamplane/contracts/catalog/v1';
import {
  TITLE_TYPES,
  type ListTitlesRequest as ListTitlesQuery,
  type SearchTitlesRequest as SearchTitlesQuery,
  type TitleType,
} from '../domain';

/**
 * Every check of a catalog request, once, where it arrives: each limit below is the one callers see, and
 * the domain relies on it rather than checking again. Errors name the proto field.
 */

/** ListTitles' page_size: unset means 50, at most 500. */
export const LIST_PAGE = { defaultSize: 50, max: 500 };
/** SearchTitles' page_size: unset means 20, at most 100. */
export const SEARCH_PAGE = { defaultSize: 20, max: 100 };
/** Most ids in one BatchGetTitles call (a home screen row is well below this). */
export const MAX_BATCH_SIZE = 100;
/** Longest search query, in characters. */
export const MAX_QUERY_LENGTH = 200;
const MAX_GENRE_LENGTH = 32;
const MAX_PAGE_TOKEN_LENGTH = 1024;
const MATURITY_CAP = { min: 0, max: 18 };
const TITLE_TYPE_NAMES = TITLE_TYPES.map((type) => `TITLE_TYPE_${type}` as const);

export interface TitleLookup {
  titleId: string;
  /** '' = any country. */
  country: string;
}

export interface BatchLookup {
  titleIds: string[];
  /** '' = any country. */
  country: string;
}

export function titleLookup(request: GetTitleRequest): TitleLookup {
  return { titleId: requireId(request.title_id, 'title_id'), country: optionalCountry(request.country, 'country') };
}

export function batchLookup(request: BatchGetTitlesRequest): BatchLookup {
  return {
    titleIds: boundedList(request.title_ids, 'title_ids', { max: MAX_BATCH_SIZE }, requireId),
    country: optionalCountry(request.country, 'country'),
  };
}

export function listTitlesQuery(request: ListTitlesRequest): ListTitlesQuery {
  return {
    country: optionalCountry(request.country, 'country'),
    genre: optionalText(request.genre, 'genre', MAX_GENRE_LENGTH),
    pageSize: pageSize(request.page_size, 'page_size', LIST_PAGE),
    pageToken: optionalText(request.page_token, 'page_token', MAX_PAGE_TOKEN_LENGTH),
    maxMaturityLevel: optionalInteger(request.max_maturity_level, 'max_maturity_level', MATURITY_CAP),
    type: titleTypeFilter(request.type),
  };
}

export function searchTitlesQuery(request: SearchTitlesRequest): SearchTitlesQuery {
  return {
    query: requireText(request.query, 'query', MAX_QUERY_LENGTH),
    country: optionalCountry(request.country, 'country'),
    pageSize: pageSize(request.page_size, 'page_size', SEARCH_PAGE),
    maxMaturityLevel: optionalInteger(request.max_maturity_level, 'max_maturity_level', MATURITY_CAP),
  };
}

export function ladderTitleId(request: GetEncodingLadderRequest): string {
  return requireId(request.title_id, 'title_id');
}

/** TITLE_TYPE_UNSPECIFIED means "no filter"; anything unknown is rejected. */
function titleTypeFilter(value: unknown): TitleType | undefined {
  const name = requireEnum(value, 'type', TITLE_TYPE_NAMES, { allowUnspecified: true });
  return name === undefined ? undefined : (name.slice('TITLE_TYPE_'.length) as TitleType);
}
