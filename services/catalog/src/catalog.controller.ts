import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import {
  boundedList,
  optionalCountry,
  optionalInteger,
  optionalText,
  pageSize,
  requireId,
  requireEnum,
  requireText,
} from '@streamplane/platform';
import type {
  BatchGetTitlesRequest,
  BatchGetTitlesResponse__Input,
  GetEncodingLadderRequest,
  GetEncodingLadderResponse__Input,
  GetTitleRequest,
  ListTitlesRequest,
  ListTitlesResponse__Input,
  SearchTitlesRequest,
  SearchTitlesResponse__Input,
  Title__Input,
} from '@streamplane/contracts/catalog/v1';
import { toEncodingLadderMessage, toTitleMessage } from './catalog.messages';
import { Catalog, MAX_BATCH_SIZE, MAX_QUERY_LENGTH, TITLE_TYPES, type TitleType } from './domain';

const LIST_PAGE = { defaultSize: 50, max: 500 };
const SEARCH_PAGE = { defaultSize: 20, max: 100 };
const MATURITY_CAP = { min: 0, max: 18 };
const MAX_GENRE_LENGTH = 32;
const TITLE_TYPE_NAMES = TITLE_TYPES.map((type) => `TITLE_TYPE_${type}` as const);

/** TITLE_TYPE_UNSPECIFIED means "no filter"; anything unknown is rejected. */
function titleTypeFilter(value: unknown): TitleType | undefined {
  const name = requireEnum(value, 'type', TITLE_TYPE_NAMES, { allowUnspecified: true });
  return name === undefined ? undefined : (name.slice('TITLE_TYPE_'.length) as TitleType);
}

/** streamplane.catalog.v1.CatalogService: validates each request, asks the domain, maps the answer. */
@Controller()
export class CatalogController {
  constructor(private readonly catalog: Catalog) {}

  @GrpcMethod('CatalogService', 'GetTitle')
  getTitle(request: GetTitleRequest): Title__Input {
    const titleId = requireId(request.title_id, 'title_id');
    const country = optionalCountry(request.country, 'country');
    return toTitleMessage(this.catalog.getTitle(titleId, country));
  }

  @GrpcMethod('CatalogService', 'BatchGetTitles')
  batchGetTitles(request: BatchGetTitlesRequest): BatchGetTitlesResponse__Input {
    const titleIds = boundedList(request.title_ids, 'title_ids', { max: MAX_BATCH_SIZE }, requireId);
    const country = optionalCountry(request.country, 'country');
    return { titles: this.catalog.batchGetTitles(titleIds, country).map(toTitleMessage) };
  }

  @GrpcMethod('CatalogService', 'ListTitles')
  listTitles(request: ListTitlesRequest): ListTitlesResponse__Input {
    const page = this.catalog.listTitles({
      country: optionalCountry(request.country, 'country'),
      genre: optionalText(request.genre, 'genre', MAX_GENRE_LENGTH),
      pageSize: pageSize(request.page_size, 'page_size', LIST_PAGE),
      pageToken: optionalText(request.page_token, 'page_token', 1024),
      maxMaturityLevel: optionalInteger(request.max_maturity_level, 'max_maturity_level', MATURITY_CAP),
      type: titleTypeFilter(request.type),
    });
    return { titles: page.titles.map(toTitleMessage), next_page_token: page.nextPageToken };
  }

  @GrpcMethod('CatalogService', 'SearchTitles')
  searchTitles(request: SearchTitlesRequest): SearchTitlesResponse__Input {
    const titles = this.catalog.searchTitles({
      query: requireText(request.query, 'query', MAX_QUERY_LENGTH),
      country: optionalCountry(request.country, 'country'),
      pageSize: pageSize(request.page_size, 'page_size', SEARCH_PAGE),
      maxMaturityLevel: optionalInteger(request.max_maturity_level, 'max_maturity_level', MATURITY_CAP),
    });
    return { titles: titles.map(toTitleMessage) };
  }

  @GrpcMethod('CatalogService', 'GetEncodingLadder')
  getEncodingLadder(request: GetEncodingLadderRequest): GetEncodingLadderResponse__Input {
    const titleId = requireId(request.title_id, 'title_id');
    return toEncodingLadderMessage(this.catalog.getEncodingLadder(titleId));
  }
}
