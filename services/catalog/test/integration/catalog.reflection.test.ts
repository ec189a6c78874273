import { bufCurl, bufCurlJson, bufListMethods, startServiceProcess, type ServiceProcess } from '@streamplane/testkit';

/** What a person does with grpcurl or buf curl: discover the API through reflection, then call it. */
describe('catalog through buf curl and server reflection', () => {
  let catalog: ServiceProcess;

  beforeAll(async () => {
    catalog = await startServiceProcess('catalog');
  });

  afterAll(async () => {
    await catalog?.stop();
  });

  it('lists the catalog and health methods', async () => {
    const methods = await bufListMethods(catalog.address);
    expect(methods).toEqual(
      expect.arrayContaining([
        'streamplane.catalog.v1.CatalogService/GetTitle',
        'streamplane.catalog.v1.CatalogService/BatchGetTitles',
        'streamplane.catalog.v1.CatalogService/ListTitles',
        'streamplane.catalog.v1.CatalogService/SearchTitles',
        'streamplane.catalog.v1.CatalogService/GetEncodingLadder',
        'grpc.health.v1.Health/Check',
      ]),
    );
  });

  it('calls GetTitle, including a map field', async () => {
    const title = await bufCurlJson(catalog.address, 'streamplane.catalog.v1.CatalogService/GetTitle', {
      title_id: 'tt00001',
      country: 'US',
    });
    expect(title).toMatchObject({ titleId: 'tt00001', name: 'The Silent Crown', type: 'TITLE_TYPE_MOVIE' });
  });

  it('renders a title whose localized names are set (map<string, string>)', async () => {
    const { titles } = await bufCurlJson<{ titles: Array<{ localizedNames?: Record<string, string> }> }>(
      catalog.address,
      'streamplane.catalog.v1.CatalogService/ListTitles',
      { page_size: 50 },
    );
    const localized = titles.find((title) => title.localizedNames && Object.keys(title.localizedNames).length > 0);
    expect(localized).toBeDefined();
    for (const [language, name] of Object.entries(localized!.localizedNames!)) {
      expect(language).toMatch(/^[a-z]{2}(-[A-Z]{2})?$/);
      expect(name).not.toBe('');
    }
  });

  it('answers the overall and per-service health checks', async () => {
    const overall = await bufCurlJson(catalog.address, 'grpc.health.v1.Health/Check', {});
    const service = await bufCurlJson(catalog.address, 'grpc.health.v1.Health/Check', {
      service: 'streamplane.catalog.v1.CatalogService',
    });
    expect(overall).toEqual({ status: 'SERVING' });
    expect(service).toEqual({ status: 'SERVING' });
  });

  it('reports a bad request as invalid_argument naming the field', async () => {
    await expect(
      bufCurl(catalog.address, [
        '-d',
        '{"title_id":"","country":"US"}',
        `http://${catalog.address}/streamplane.catalog.v1.CatalogService/GetTitle`,
      ]),
    ).rejects.toMatchObject({ stderr: expect.stringMatching(/invalid_argument[\s\S]*title_id: is required/) });
  });
});
