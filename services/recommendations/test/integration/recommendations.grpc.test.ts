import { status } from '@grpc/grpc-js';
import { SERVICES } from '@streamplane/contracts';
import {
  eventually,
  testClient,
  type TestClient,
  startServiceProcess,
  type ServiceProcess,
} from '@streamplane/testkit';

interface Title {
  title_id: string;
  genres: string[];
  maturity_level: number;
  runtime_minutes: number;
  available_countries: string[];
}

interface Row {
  row_id: string;
  title: string;
  kind: string;
  genre: string;
  titles: Title[];
  resume_position_seconds: Record<string, number>;
}

interface HomeRows {
  rows: Row[];
  degraded: boolean;
}

interface Prediction {
  title_id: string;
  expected_plays: number;
  score: number;
}

const FAULTS = { STREAMPLANE_FAULTS: 'enabled' };
const snapshotLoaded = (process: ServiceProcess) => () =>
  process.logs.some((line) => line.msg === 'catalog snapshot loaded');

/** Real catalog, profiles and recommendations processes. */
describe('recommendations over gRPC', () => {
  let catalog: ServiceProcess;
  let profiles: ServiceProcess;
  let recommendations: ServiceProcess;
  let client: TestClient;
  let profilesClient: TestClient;

  beforeAll(async () => {
    catalog = await startServiceProcess('catalog', FAULTS);
    profiles = await startServiceProcess('profiles', { ...FAULTS, CATALOG_ADDR: catalog.address });
    recommendations = await startServiceProcess('recommendations', {
      ...FAULTS,
      CATALOG_ADDR: catalog.address,
      PROFILES_ADDR: profiles.address,
    });
    client = testClient(SERVICES.recommendations, recommendations.address);
    profilesClient = testClient(SERVICES.profiles, profiles.address);
    await eventually(snapshotLoaded(recommendations), 'the catalog snapshot loaded');
  });

  afterAll(async () => {
    client?.close();
    profilesClient?.close();
    await Promise.all([recommendations?.stop(), profiles?.stop(), catalog?.stop()]);
  });

  const maturityOf = async (profileId: string): Promise<number> =>
    (await profilesClient.call<{ maturity_level: number }>('GetProfile', { profile_id: profileId })).maturity_level;

  it('loads every catalog title into its snapshot', () => {
    const loaded = recommendations.logs.find((line) => line.msg === 'catalog snapshot loaded');
    expect(loaded).toMatchObject({ titles: 2000 });
  });

  it('returns the titles trending in a country, all available there, 20 by default', async () => {
    const { titles } = await client.call<{ titles: Title[] }>('GetTrending', { country: 'de' });
    expect(titles).toHaveLength(20);
    for (const title of titles) expect(title.available_countries).toContain('DE');
    const again = await client.call<{ titles: Title[] }>('GetTrending', { country: 'DE', limit: 100 });
    expect(again.titles.slice(0, 20).map((title) => title.title_id)).toEqual(titles.map((title) => title.title_id));
  });

  it('continues what the profile started, most recent first, at the recorded positions', async () => {
    const maturity = await maturityOf('acct-0001-p1');
    const { titles } = await client.call<{ titles: Title[] }>('GetTrending', { country: 'US', limit: 50 });
    const [first, second] = titles.filter((title) => title.maturity_level <= maturity).slice(10);
    const positionOf = (title: Title) => Math.floor((title.runtime_minutes * 60) / 3);
    for (const title of [first!, second!]) {
      await profilesClient.call('RecordViewingProgress', {
        profile_id: 'acct-0001-p1',
        title_id: title.title_id,
        position_seconds: positionOf(title),
      });
    }

    const { rows, degraded } = await client.call<HomeRows>('GetHomeRows', {
      profile_id: 'acct-0001-p1',
      country: 'US',
    });
    expect(degraded).toBe(false);
    const [continueWatching] = rows;
    expect(continueWatching).toMatchObject({ row_id: 'continue-watching', kind: 'ROW_KIND_CONTINUE_WATCHING' });
    expect(continueWatching!.titles.slice(0, 2).map((title) => title.title_id)).toEqual([
      second!.title_id,
      first!.title_id,
    ]);
    expect(continueWatching!.resume_position_seconds).toMatchObject({
      [first!.title_id]: positionOf(first!),
      [second!.title_id]: positionOf(second!),
    });
    expect(rows.length).toBeLessThanOrEqual(10);
    expect(rows.some((row) => row.kind === 'ROW_KIND_GENRE' && row.row_id === `genre-${row.genre}`)).toBe(true);
    expect(rows.at(-1)).toMatchObject({ row_id: 'trending-US', title: 'Trending in US', kind: 'ROW_KIND_TRENDING' });
    for (const row of rows) {
      expect(row.titles.length).toBeGreaterThan(0);
      expect(row.titles.length).toBeLessThanOrEqual(20);
      for (const title of row.titles) {
        expect(title.available_countries).toContain('US');
        expect(title.maturity_level).toBeLessThanOrEqual(maturity);
      }
    }
  });

  it('never shows the kids profile a title above its maturity level', async () => {
    const maturity = await maturityOf('acct-0001-p5');
    expect(maturity).toBeLessThanOrEqual(7);
    const { rows, degraded } = await client.call<HomeRows>('GetHomeRows', {
      profile_id: 'acct-0001-p5',
      country: 'GB',
      max_rows: 50,
      titles_per_row: 100,
    });
    expect(degraded).toBe(false);
    expect(rows.length).toBeGreaterThan(1);
    for (const title of rows.flatMap((row) => row.titles)) expect(title.maturity_level).toBeLessThanOrEqual(maturity);
  });

  it('honours max_rows and titles_per_row', async () => {
    const { rows } = await client.call<HomeRows>('GetHomeRows', {
      profile_id: 'acct-0002-p1',
      country: 'US',
      max_rows: 3,
      titles_per_row: 4,
    });
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row.titles.length).toBeLessThanOrEqual(4);
  });

  it('predicts demand in us-east, highest first, scored against the first', async () => {
    const answer = await client.call<{ region: string; predictions: Prediction[] }>('PredictDemand', {
      region: 'us-east',
    });
    expect(answer.region).toBe('us-east');
    expect(answer.predictions).toHaveLength(100);
    expect(answer.predictions[0]!.score).toBe(1);
    const plays = answer.predictions.map((prediction) => prediction.expected_plays);
    expect(plays).toEqual([...plays].sort((a, b) => b - a));
    const { predictions } = await client.call<{ predictions: Prediction[] }>('PredictDemand', {
      region: 'us-east',
      limit: 2000,
    });
    expect(predictions.length).toBeGreaterThan(100);
  });

  it.each([
    ['an empty profile_id', 'GetHomeRows', { profile_id: '', country: 'US' }, /^profile_id: /],
    ['a missing country', 'GetHomeRows', { profile_id: 'acct-0001-p1' }, /^country: /],
    ['a malformed country', 'GetHomeRows', { profile_id: 'acct-0001-p1', country: 'USA' }, /^country: /],
    ['max_rows 0', 'GetHomeRows', { profile_id: 'acct-0001-p1', country: 'US', max_rows: 0 }, /^max_rows: /],
    ['max_rows 51', 'GetHomeRows', { profile_id: 'acct-0001-p1', country: 'US', max_rows: 51 }, /^max_rows: /],
    [
      'titles_per_row 0',
      'GetHomeRows',
      { profile_id: 'acct-0001-p1', country: 'US', titles_per_row: 0 },
      /^titles_per_row: /,
    ],
    [
      'titles_per_row 101',
      'GetHomeRows',
      { profile_id: 'acct-0001-p1', country: 'US', titles_per_row: 101 },
      /^titles_per_row: /,
    ],
    ['a missing country', 'GetTrending', {}, /^country: /],
    ['a malformed country', 'GetTrending', { country: 'U1' }, /^country: /],
    ['limit 0', 'GetTrending', { country: 'US', limit: 0 }, /^limit: /],
    ['limit 101', 'GetTrending', { country: 'US', limit: 101 }, /^limit: /],
    ['an empty region', 'PredictDemand', { region: '' }, /^region: /],
    ['limit 0', 'PredictDemand', { region: 'us-east', limit: 0 }, /^limit: /],
    ['limit 2001', 'PredictDemand', { region: 'us-east', limit: 2001 }, /^limit: /],
  ])('rejects %s in %s with INVALID_ARGUMENT naming the field', async (_case, method, request, message) => {
    const error = await client.fail(method, request);
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toMatch(message);
  });

  it.each([
    ['an unknown profile', 'GetHomeRows', { profile_id: 'acct-0001-p9', country: 'US' }, /acct-0001-p9/],
    ['an unknown region', 'PredictDemand', { region: 'mars-north' }, /mars-north/],
  ])('answers %s with NOT_FOUND naming it', async (_case, method, request, message) => {
    const error = await client.fail(method, request);
    expect(error.code).toBe(status.NOT_FOUND);
    expect(error.details).toMatch(message);
  });

  it('falls back to trending at the kids-safe level 7 when profiles is unavailable', async () => {
    const { rows, degraded } = await client.call<HomeRows>(
      'GetHomeRows',
      { profile_id: 'acct-0001-p1', country: 'US', titles_per_row: 100 },
      { metadata: { 'x-streamplane-fault': 'profiles=UNAVAILABLE' } },
    );
    expect(degraded).toBe(true);
    expect(rows.map((row) => row.row_id)).toEqual(['trending-US']);
    expect(rows[0]!.titles.length).toBeGreaterThan(0);
    for (const title of rows[0]!.titles) expect(title.maturity_level).toBeLessThanOrEqual(7);
    // The log line travels through a pipe: it may arrive just after the answer.
    await eventually(
      () =>
        recommendations.logs.some((line) => line.msg === 'personalisation unavailable; answering with trending rows'),
      'the degradation warning in the log',
    );
  });

  it('keeps personalising from the snapshot, within the profile’s level, when catalog is unavailable', async () => {
    const maturity = await maturityOf('acct-0001-p1');
    const { rows, degraded } = await client.call<HomeRows>(
      'GetHomeRows',
      { profile_id: 'acct-0001-p1', country: 'US', titles_per_row: 100 },
      { metadata: { 'x-streamplane-fault': 'catalog=UNAVAILABLE' } },
    );
    // The history's titles come from the snapshot: catalog is not asked, so its outage changes nothing.
    expect(degraded).toBe(false);
    expect(rows.map((row) => row.kind)).toContain('ROW_KIND_GENRE');
    const levels = rows.flatMap((row) => row.titles.map((title) => title.maturity_level));
    expect(Math.max(...levels)).toBeLessThanOrEqual(maturity);
  });

  it('keeps trending and demand answering from the snapshot while catalog is unavailable', async () => {
    const fault = { metadata: { 'x-streamplane-fault': 'catalog=UNAVAILABLE' } };
    expect((await client.call<{ titles: Title[] }>('GetTrending', { country: 'US' }, fault)).titles).toHaveLength(20);
    const { predictions } = await client.call<{ predictions: Prediction[] }>(
      'PredictDemand',
      { region: 'eu-west' },
      fault,
    );
    expect(predictions).toHaveLength(100);
  });
});

describe('recommendations before its catalog snapshot has loaded', () => {
  it('answers UNAVAILABLE, keeps retrying in the background, and still shuts down promptly', async () => {
    const lonely = await startServiceProcess('recommendations', {
      // Nothing listens on port 1: every snapshot load fails.
      CATALOG_ADDR: '127.0.0.1:1',
      RECOMMENDATIONS_SNAPSHOT_RETRY_BASE_MS: '10',
      RECOMMENDATIONS_SNAPSHOT_RETRY_CAP_MS: '50',
    });
    const client = testClient(SERVICES.recommendations, lonely.address);
    try {
      const error = await client.fail('GetTrending', { country: 'US' });
      expect(error.code).toBe(status.UNAVAILABLE);
      expect(error.details).toMatch(/catalog snapshot not loaded yet/);
      expect((await client.fail('GetHomeRows', { profile_id: 'acct-0001-p1', country: 'US' })).code).toBe(
        status.UNAVAILABLE,
      );
      expect((await client.fail('PredictDemand', { region: 'us-east' })).code).toBe(status.UNAVAILABLE);
      await eventually(
        () => lonely.logs.filter((line) => line.msg === 'catalog snapshot load failed; retrying').length >= 2,
        'two failed snapshot loads',
      );
    } finally {
      client.close();
    }
    expect(await lonely.stop()).toBe(0);
  });
});
