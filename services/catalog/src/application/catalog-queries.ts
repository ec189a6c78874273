import {
  Catalog,
  type EncodingLadder,
  type ListTitlesRequest,
  type ListTitlesResponse,
  type SearchTitlesRequest,
  type Title,
} from '../domain';

/**
 * Where the catalog's titles come from. Read once, when the service starts: the catalog is immutable
 * afterwards, so every query is answered from indexes built over this one read.
 */
export interface TitleSource {
  loadTitles(): readonly Title[];
}

/**
 * What catalog's callers ask of it: the read model built from the title source, queried. Inputs are
 * already validated and bounded (see api/catalog.validation.ts); the rules of each query are the domain
 * Catalog's.
 */
export class CatalogQueries {
  private readonly catalog: Catalog;

  constructor(source: TitleSource) {
    this.catalog = new Catalog(source.loadTitles());
  }

  getTitle(titleId: string, country: string): Title {
    return this.catalog.getTitle(titleId, country);
  }

  batchGetTitles(titleIds: readonly string[], country: string): Title[] {
    return this.catalog.batchGetTitles(titleIds, country);
  }

  listTitles(request: ListTitlesRequest): ListTitlesResponse {
    return this.catalog.listTitles(request);
  }

  searchTitles(request: SearchTitlesRequest): Title[] {
    return this.catalog.searchTitles(request);
  }

  getEncodingLadder(titleId: string): EncodingLadder {
    return this.catalog.getEncodingLadder(titleId);
  }
}
