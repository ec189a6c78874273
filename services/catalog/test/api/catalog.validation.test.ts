import { InvalidArgumentError } from '@streamplane/platform/errors';
import { expectThrows } from '@streamplane/testkit';
import type { BatchGetTitlesRequest, ListTitlesRequest, SearchTitlesRequest } from '@streamplane/contracts/catalog/v1';
import {
  LIST_PAGE,
  MAX_BATCH_SIZE,
  MAX_QUERY_LENGTH,
  SEARCH_PAGE,
  batchLookup,
  listTitlesQuery,
  searchTitlesQuery,
} from '../../src/api/catalog.validation';

/** The limits of catalog requests, each checked once, where requests arrive. */
describe('catalog request validation', () => {
  // Requests as proto-loader decodes them: unset strings are '', unset enums their UNSPECIFIED value.
  const list = (fields: Partial<ListTitlesRequest>): ListTitlesRequest => ({
    country: '',
    genre: '',
    page_token: '',
    type: 'TITLE_TYPE_UNSPECIFIED',
    ...fields,
  });
  const search = (fields: Partial<SearchTitlesRequest>): SearchTitlesRequest => ({ query: '', country: '', ...fields });
  const batch = (fields: Partial<BatchGetTitlesRequest>): BatchGetTitlesRequest => ({
    title_ids: [],
    country: '',
    ...fields,
  });
  const ids = (count: number) => Array.from({ length: count }, (_, i) => `tt${String(i + 1).padStart(5, '0')}`);

  it('bounds ListTitles page sizes at 1…500, naming page_size; unset means 50', () => {
    expect(LIST_PAGE).toEqual({ defaultSize: 50, max: 500 });
    for (const size of [0, -1, 1.5, LIST_PAGE.max + 1, 1001, 10_000, Number.NaN]) {
      const error = expectThrows(() => listTitlesQuery(list({ page_size: size })), InvalidArgumentError, 'page_size');
      expect((error as InvalidArgumentError).field).toBe('page_size');
    }
    expect(listTitlesQuery(list({ page_size: LIST_PAGE.max })).pageSize).toBe(500);
    expect(listTitlesQuery(list({})).pageSize).toBe(50);
  });

  it('bounds SearchTitles page sizes at 1…100, naming page_size; unset means 20', () => {
    expect(SEARCH_PAGE).toEqual({ defaultSize: 20, max: 100 });
    for (const size of [0, SEARCH_PAGE.max + 1]) {
      expectThrows(
        () => searchTitlesQuery(search({ query: 'night', page_size: size })),
        InvalidArgumentError,
        'page_size',
      );
    }
    expect(searchTitlesQuery(search({ query: 'night' })).pageSize).toBe(20);
  });

  it('bounds the batch size, naming title_ids', () => {
    expect(MAX_BATCH_SIZE).toBe(100);
    expect(batchLookup(batch({ title_ids: ids(MAX_BATCH_SIZE) })).titleIds).toHaveLength(MAX_BATCH_SIZE);
    expectThrows(
      () => batchLookup(batch({ title_ids: ids(MAX_BATCH_SIZE + 1) })),
      InvalidArgumentError,
      'title_ids',
      String(MAX_BATCH_SIZE),
    );
  });

  it('rejects an overlong query, naming query', () => {
    expect(MAX_QUERY_LENGTH).toBe(200);
    expect(searchTitlesQuery(search({ query: 'x'.repeat(MAX_QUERY_LENGTH) })).query).toHaveLength(200);
    expectThrows(() => searchTitlesQuery(search({ query: 'x'.repeat(201) })), InvalidArgumentError, 'query');
  });

  it('turns a request into the domain query, unset fields meaning "no filter"', () => {
    expect(
      listTitlesQuery(
        list({
          country: 'us',
          genre: 'drama',
          page_size: 10,
          page_token: 'abc',
          max_maturity_level: 13,
          type: 'TITLE_TYPE_SERIES',
        }),
      ),
    ).toEqual({ country: 'US', genre: 'drama', pageSize: 10, pageToken: 'abc', maxMaturityLevel: 13, type: 'SERIES' });
    expect(listTitlesQuery(list({ type: 'TITLE_TYPE_UNSPECIFIED' }))).toEqual({
      country: '',
      genre: '',
      pageSize: 50,
      pageToken: '',
      maxMaturityLevel: undefined,
      type: undefined,
    });
  });
});
