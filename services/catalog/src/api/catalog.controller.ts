import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
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
import { CatalogQueries } from '../application/catalog-queries';
import { toEncodingLadderMessage, toListTitlesMessage, toTitleMessage, toTitlesMessage } from './catalog.mappers';
import { batchLookup, ladderTitleId, listTitlesQuery, searchTitlesQuery, titleLookup } from './catalog.validation';

/** streamplane.catalog.v1.CatalogService: validates each request, asks the catalog, maps the answer. */
@Controller()
export class CatalogController {
  constructor(private readonly catalog: CatalogQueries) {}

  @GrpcMethod('CatalogService', 'GetTitle')
  getTitle(request: GetTitleRequest): Title__Input {
    const { titleId, country } = titleLookup(request);
    return toTitleMessage(this.catalog.getTitle(titleId, country));
  }

  @GrpcMethod('CatalogService', 'BatchGetTitles')
  batchGetTitles(request: BatchGetTitlesRequest): BatchGetTitlesResponse__Input {
    const { titleIds, country } = batchLookup(request);
    return toTitlesMessage(this.catalog.batchGetTitles(titleIds, country));
  }

  @GrpcMethod('CatalogService', 'ListTitles')
  listTitles(request: ListTitlesRequest): ListTitlesResponse__Input {
    return toListTitlesMessage(this.catalog.listTitles(listTitlesQuery(request)));
  }

  @GrpcMethod('CatalogService', 'SearchTitles')
  searchTitles(request: SearchTitlesRequest): SearchTitlesResponse__Input {
    return toTitlesMessage(this.catalog.searchTitles(searchTitlesQuery(request)));
  }

  @GrpcMethod('CatalogService', 'GetEncodingLadder')
  getEncodingLadder(request: GetEncodingLadderRequest): GetEncodingLadderResponse__Input {
    return toEncodingLadderMessage(this.catalog.getEncodingLadder(ladderTitleId(request)));
  }
}
