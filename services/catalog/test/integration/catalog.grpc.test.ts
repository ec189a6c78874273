import { status } from '@grpc/grpc-js';
import { SERVICES } from '@streamplane/contracts';
import { startService, type RunningService } from '@streamplane/platform';
import { testClient, type TestClient } from '@streamplane/testkit';
import { DEPENDENCIES } from '../../src/application/dependencies';
import { CatalogModule } from '../../src/catalog.module';
import { catalogConfigSchema } from '../../src/config';

/**
 * The whole catalog service (platform server, module, controller, queries, seed) started in this test's
 * process on an ephemeral port, and called over gRPC on 127.0.0.1 as any client would. What needs a real
 * process (signals, exit codes, the telemetry preload, discovery) is in the other catalog.* tests.
 */
describe('catalog over gRPC', () => {
  let catalog: RunningService;
  let client: TestClient;

  beforeAll(async () => {
    catalog = await startService({
      service: SERVICES.catalog,
      module: CatalogModule,
      configSchema: catalogConfigSchema,
      dependencies: DEPENDENCIES,
      env: { GRPC_HOST: '127.0.0.1', GRPC_PORT: '0', METRICS_HOST: '127.0.0.1', METRICS_PORT: '0', LOG_LEVEL: 'error' },
    });
    client = testClient(SERVICES.catalog, `127.0.0.1:${catalog.port}`);
  });

  afterAll(async () => {
    client?.close();
    await catalog?.shutdown('tests done');
  });

  it('returns a title', async () => {
    const title = await client.call('GetTitle', { title_id: 'tt00001', country: 'US' });
    expect(title).toMatchObject({
      title_id: 'tt00001',
      name: 'The Silent Crown',
      type: 'TITLE_TYPE_MOVIE',
      maturity_level: 13,
      hdr_available: true,
    });
    expect(title.available_countries).toContain('US');
  });

  it('returns batches in request order', async () => {
    const { titles } = await client.call<{ titles: Array<{ title_id: string }> }>('BatchGetTitles', {
      title_ids: ['tt00003', 'tt00001', 'tt00002'],
      country: 'US',
    });
    expect(titles.map((title) => title.title_id)).toEqual(['tt00003', 'tt00001', 'tt00002']);
  });

  it('pages through a filtered list with opaque tokens', async () => {
    const seen = new Set<string>();
    let pageToken = '';
    let pages = 0;
    do {
      const page = await client.call<{
        titles: Array<{ title_id: string; genres: string[] }>;
        next_page_token: string;
      }>('ListTitles', { country: 'US', genre: 'comedy', page_size: 100, page_token: pageToken });
      for (const title of page.titles) {
        expect(title.genres).toContain('comedy');
        expect(seen.has(title.title_id)).toBe(false);
        seen.add(title.title_id);
      }
      pageToken = page.next_page_token;
      pages += 1;
    } while (pageToken !== '');
    expect(pages).toBeGreaterThan(1);
    expect(seen.size).toBeGreaterThan(100);
  });

  it('searches case-insensitively, best match first', async () => {
    const { titles } = await client.call<{ titles: Array<{ name: string }> }>('SearchTitles', {
      query: 'the silent crown',
      country: 'US',
    });
    expect(titles[0]?.name).toBe('The Silent Crown');
  });

  it('returns the encoding ladder', async () => {
    const ladder = await client.call<{ renditions: Array<{ bitrate_kbps: number; height: number; hdr: boolean }> }>(
      'GetEncodingLadder',
      { title_id: 'tt00001' },
    );
    const bitrates = ladder.renditions.map((rendition) => rendition.bitrate_kbps);
    expect(Math.min(...bitrates)).toBe(235);
    expect(ladder.renditions.some((rendition) => rendition.height === 2160 && rendition.hdr)).toBe(true);
  });

  describe('errors', () => {
    it.each([
      ['an empty id', 'GetTitle', { title_id: '', country: 'US' }, status.INVALID_ARGUMENT, /^title_id: is required/],
      ['an unknown id', 'GetTitle', { title_id: 'tt99999', country: 'US' }, status.NOT_FOUND, /tt99999/],
      [
        'a title not in the country',
        'GetTitle',
        { title_id: 'tt00004', country: 'US' },
        status.FAILED_PRECONDITION,
        /not available in US/,
      ],
      [
        'a malformed country',
        'GetTitle',
        { title_id: 'tt00001', country: 'USA' },
        status.INVALID_ARGUMENT,
        /^country: /,
      ],
      [
        'page_size 0',
        'ListTitles',
        { page_size: 0 },
        status.INVALID_ARGUMENT,
        /^page_size: must be between 1 and 500 \(got 0\)/,
      ],
      ['page_size 10,000', 'ListTitles', { page_size: 10_000 }, status.INVALID_ARGUMENT, /^page_size: .*got 10000/],
      [
        'a malformed page token',
        'ListTitles',
        { page_token: '%%%not-a-token' },
        status.INVALID_ARGUMENT,
        /^page_token: /,
      ],
      ['an unknown enum value', 'ListTitles', { type: 99 }, status.INVALID_ARGUMENT, /^type: has unknown value 99/],
      ['an unknown genre', 'ListTitles', { genre: 'opera' }, status.INVALID_ARGUMENT, /^genre: unknown genre "opera"/],
      ['an empty query', 'SearchTitles', { query: '' }, status.INVALID_ARGUMENT, /^query: is required/],
      [
        'a query over 200 characters',
        'SearchTitles',
        { query: 'x'.repeat(201) },
        status.INVALID_ARGUMENT,
        /^query: must be at most 200/,
      ],
      [
        'too many batch ids',
        'BatchGetTitles',
        { title_ids: Array(101).fill('tt00001') },
        status.INVALID_ARGUMENT,
        /^title_ids: must have at most 100/,
      ],
      [
        'an empty batch id',
        'BatchGetTitles',
        { title_ids: ['tt00001', ''] },
        status.INVALID_ARGUMENT,
        /^title_ids\[1\]: is required/,
      ],
      [
        'a maturity cap out of range',
        'SearchTitles',
        { query: 'x', max_maturity_level: 21 },
        status.INVALID_ARGUMENT,
        /^max_maturity_level: /,
      ],
      [
        'an unknown ladder id',
        'GetEncodingLadder',
        { title_id: 'tt99999' },
        status.NOT_FOUND,
        /title "tt99999" not found/,
      ],
    ])('%s gives the right code and names the field or id', async (_case, method, request, code, message) => {
      const error = await client.fail(method, request);
      expect(error.code).toBe(code);
      expect(error.details).toMatch(message);
    });

    it('rejects a page token replayed against another filter', async () => {
      const page = await client.call<{ next_page_token: string }>('ListTitles', { genre: 'drama', page_size: 5 });
      const error = await client.fail('ListTitles', {
        genre: 'comedy',
        page_size: 5,
        page_token: page.next_page_token,
      });
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.details).toMatch(/^page_token: belongs to a request with different filters/);
    });
  });
});
