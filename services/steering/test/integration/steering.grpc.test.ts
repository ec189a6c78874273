import { status } from '@grpc/grpc-js';
import { createServer } from 'node:net';
import { LOCAL_DEVELOPMENT_SECRET, verifyCdnUrl } from '@streamplane/streaming';
import { SERVICES } from '@streamplane/contracts';
import {
  testClient,
  type TestClient,
  fail,
  ok,
  ScriptedServer,
  startServiceProcess,
  type ServiceProcess,
} from '@streamplane/testkit';
import { ispAsnsOf, TitleCatalog } from '../../src/domain';

interface Candidate {
  appliance_id: string;
  url: string;
  site_type: string;
  region: string;
  rank: number;
  expires_at: { seconds: string; nanos: number };
}

interface Appliance {
  appliance_id: string;
  region: string;
  country: string;
  asn: number;
  site_type: string;
  storage_capacity_bytes: string;
  storage_used_bytes: string;
  cached_title_count: number;
}

interface RegionState {
  region: string;
  evacuated: boolean;
  failover_region: string;
  appliance_count: number;
  healthy_appliance_count: number;
  change_time: { seconds: string; nanos: number } | null;
}

interface PlanFillEntry {
  appliance_id: string;
  title_ids: string[];
  bytes: string;
}

/** The most popular title of the default catalog: cached on nearly every appliance. */
const POPULAR_TITLE = new TitleCatalog(2000).idOf(new TitleCatalog(2000).byPopularity[0]!);
const INCUMBENT_US_ISP = ispAsnsOf('US')[0]!;

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A real steering process; recommendations is a scripted stand-in (or a closed port). */
describe('steering over gRPC', () => {
  let recommendations: ScriptedServer;
  let steering: ServiceProcess;
  let isolated: ServiceProcess;
  let client: TestClient;

  beforeAll(async () => {
    recommendations = await ScriptedServer.start(SERVICES.recommendations);
    [steering, isolated] = await Promise.all([
      startServiceProcess('steering', { RECOMMENDATIONS_ADDR: recommendations.address }),
      startServiceProcess('steering', { RECOMMENDATIONS_ADDR: `127.0.0.1:${await closedPort()}` }),
    ]);
    client = testClient(SERVICES.steering, steering.address);
  });

  afterAll(async () => {
    client?.close();
    await Promise.all([steering?.stop(), isolated?.stop()]);
    recommendations?.stop();
  });

  beforeEach(() => recommendations?.reset());

  it('logs the size of the fleet it seeded', () => {
    const seeded = steering.logs.find((line) => line.msg === 'fleet seeded');
    expect(seeded).toMatchObject({ appliances: 17_000, titles: 2000, cache_bitset_bytes: 17_000 * 63 * 4 });
  });

  it('steers a subscriber of a US ISP to that ISP’s caches first, with signed, expiring URLs', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { candidates } = await client.call<{ candidates: Candidate[] }>('SteerPlayback', {
      title_id: POPULAR_TITLE,
      client: { ip: '203.0.113.7', country: 'us', asn: INCUMBENT_US_ISP },
    });
    expect(candidates.map((candidate) => candidate.rank)).toEqual([1, 2, 3]);
    expect(candidates.every((candidate) => candidate.site_type === 'SITE_TYPE_EMBEDDED_ISP')).toBe(true);
    expect(candidates.every((candidate) => candidate.region === 'us-east')).toBe(true);
    for (const candidate of candidates) {
      const expires = Number(candidate.expires_at.seconds);
      expect(expires - before).toBeGreaterThanOrEqual(3600);
      expect(expires - before).toBeLessThanOrEqual(3602);
      expect(candidate.url).toContain(`expires=${expires}`);
      expect(verifyCdnUrl(candidate.url, LOCAL_DEVELOPMENT_SECRET, new Date())).toBe(true);
    }
  });

  it('ranks exchanges first for a client of unknown ISP, and returns up to max_candidates', async () => {
    const { candidates } = await client.call<{ candidates: Candidate[] }>('SteerPlayback', {
      title_id: POPULAR_TITLE,
      client: { country: 'DE' },
      max_candidates: 10,
    });
    expect(candidates).toHaveLength(10);
    expect(candidates[0]).toMatchObject({ site_type: 'SITE_TYPE_INTERNET_EXCHANGE', region: 'eu-west' });
  });

  it('lists a region page by page, completely, in id order, with 64-bit counts as strings', async () => {
    const ids: string[] = [];
    let page_token = '';
    do {
      const page = await client.call<{ appliances: Appliance[]; next_page_token: string }>('ListAppliances', {
        region: 'ap-south',
        page_size: 500,
        page_token,
      });
      expect(page.appliances.every((appliance) => appliance.region === 'ap-south')).toBe(true);
      ids.push(...page.appliances.map((appliance) => appliance.appliance_id));
      page_token = page.next_page_token;
    } while (page_token);
    const { state } = await client.call<{ state: RegionState }>('RestoreRegion', { region: 'ap-south' });
    expect(ids).toHaveLength(state.appliance_count);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);

    const { appliances } = await client.call<{ appliances: Appliance[] }>('ListAppliances', {});
    expect(appliances).toHaveLength(50);
    expect(appliances[0]).toMatchObject({
      appliance_id: 'oca-ap-south-00001',
      site_type: 'SITE_TYPE_ORIGIN',
      cached_title_count: 2000,
      storage_capacity_bytes: expect.stringMatching(/^\d+$/),
      storage_used_bytes: expect.stringMatching(/^\d+$/),
    });
  });

  it('evacuates a region, steers its clients to the failover region, and restores it', async () => {
    const evacuated = await client.call<{ state: RegionState }>('EvacuateRegion', { region: 'us-east' });
    expect(evacuated.state).toMatchObject({ region: 'us-east', evacuated: true, failover_region: 'us-west' });
    expect(evacuated.state.change_time).not.toBeNull();
    expect(evacuated.state.healthy_appliance_count).toBeLessThan(evacuated.state.appliance_count);
    try {
      const { candidates } = await client.call<{ candidates: Candidate[] }>('SteerPlayback', {
        title_id: POPULAR_TITLE,
        client: { country: 'US', asn: INCUMBENT_US_ISP },
        max_candidates: 10,
      });
      expect(candidates.length).toBeGreaterThan(0);
      expect(candidates.every((candidate) => candidate.region === 'us-west')).toBe(true);
      const again = await client.call<{ state: RegionState }>('EvacuateRegion', { region: 'us-east' });
      expect(again.state).toEqual(evacuated.state);
    } finally {
      const restored = await client.call<{ state: RegionState }>('RestoreRegion', { region: 'us-east' });
      expect(restored.state).toMatchObject({ region: 'us-east', evacuated: false });
    }
    const { candidates } = await client.call<{ candidates: Candidate[] }>('SteerPlayback', {
      title_id: POPULAR_TITLE,
      client: { country: 'US', asn: INCUMBENT_US_ISP },
    });
    expect(candidates[0]).toMatchObject({ region: 'us-east', site_type: 'SITE_TYPE_EMBEDDED_ISP' });
  });

  it('refuses to evacuate the last region in rotation', async () => {
    const regions = ['us-east', 'us-west', 'eu-west'];
    try {
      for (const region of regions) await client.call('EvacuateRegion', { region });
      const error = await client.fail('EvacuateRegion', { region: 'ap-south' });
      expect(error.code).toBe(status.FAILED_PRECONDITION);
      expect(error.details).toMatch(/region "ap-south" is the last region in rotation/);
    } finally {
      for (const region of regions) await client.call('RestoreRegion', { region });
    }
  });

  it('plans a fill from recommendations’ demand for the region', async () => {
    const predicted = ['tt00007', 'tt01234', 'tt00042'];
    recommendations.next(
      ok({
        region: 'us-west',
        predictions: predicted.map((title_id, rank) => ({ title_id, expected_plays: 1000 - rank, score: 1 })),
      }),
    );
    const plan = await client.call<{ region: string; entries: PlanFillEntry[] }>('PlanFill', {
      region: 'us-west',
      max_titles: 3,
    });
    expect(recommendations.received.map((call) => [call.method, call.request])).toEqual([
      ['PredictDemand', expect.objectContaining({ region: 'us-west', limit: 3 })],
    ]);
    expect(plan.region).toBe('us-west');
    expect(plan.entries.length).toBeGreaterThan(0);
    const ids = plan.entries.map((entry) => entry.appliance_id);
    expect([...ids].sort()).toEqual(ids);
    for (const entry of plan.entries) {
      expect(entry.appliance_id).toMatch(/^oca-us-west-/);
      expect(entry.title_ids.length).toBeGreaterThan(0);
      expect(entry.title_ids.every((id) => predicted.includes(id))).toBe(true);
      expect(entry.bytes).toMatch(/^\d+$/);
    }
  });

  it.each([status.UNAVAILABLE, status.INTERNAL])(
    'answers UNAVAILABLE from PlanFill when recommendations fails with code %d',
    async (code) => {
      recommendations.otherwise(fail(code));
      const error = await client.fail('PlanFill', { region: 'eu-west' });
      expect(error.code).toBe(status.UNAVAILABLE);
      expect(error.details).toBe('recommendations cannot predict demand');
    },
  );

  it('answers RESOURCE_EXHAUSTED from PlanFill while recommendations is overloaded, with its pushback', async () => {
    recommendations.otherwise(fail(status.RESOURCE_EXHAUSTED, { 'grpc-retry-pushback-ms': '50' }));
    const error = await client.fail('PlanFill', { region: 'eu-west' });
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error.details).toBe('recommendations is overloaded; retry later');
    expect(error.metadata.get('grpc-retry-pushback-ms')).toEqual(['50']);
  });

  it('answers UNAVAILABLE from PlanFill when recommendations cannot be reached', async () => {
    const isolatedClient = testClient(SERVICES.steering, isolated.address);
    try {
      const unreachable = await isolatedClient.fail('PlanFill', { region: 'eu-west' });
      expect(unreachable.code).toBe(status.UNAVAILABLE);
    } finally {
      isolatedClient.close();
    }
  });

  it.each([
    [
      'an empty title id',
      'SteerPlayback',
      { title_id: '', client: { country: 'US' } },
      status.INVALID_ARGUMENT,
      /^title_id: /,
    ],
    ['no client', 'SteerPlayback', { title_id: 'tt00001' }, status.INVALID_ARGUMENT, /^client: /],
    [
      'no country',
      'SteerPlayback',
      { title_id: 'tt00001', client: { asn: 1 } },
      status.INVALID_ARGUMENT,
      /^client\.country: /,
    ],
    [
      'a malformed country',
      'SteerPlayback',
      { title_id: 'tt00001', client: { country: 'U1' } },
      status.INVALID_ARGUMENT,
      /^client\.country: /,
    ],
    [
      'an unserved country',
      'SteerPlayback',
      { title_id: 'tt00001', client: { country: 'ZZ' } },
      status.INVALID_ARGUMENT,
      /^client\.country: "ZZ"/,
    ],
    [
      'a bad ip',
      'SteerPlayback',
      { title_id: 'tt00001', client: { country: 'US', ip: '300.1.1.1' } },
      status.INVALID_ARGUMENT,
      /^client\.ip: /,
    ],
    [
      'max_candidates 0',
      'SteerPlayback',
      { title_id: 'tt00001', client: { country: 'US' }, max_candidates: 0 },
      status.INVALID_ARGUMENT,
      /^max_candidates: /,
    ],
    [
      'max_candidates 11',
      'SteerPlayback',
      { title_id: 'tt00001', client: { country: 'US' }, max_candidates: 11 },
      status.INVALID_ARGUMENT,
      /^max_candidates: /,
    ],
    [
      'an unknown title',
      'SteerPlayback',
      { title_id: 'tt99999', client: { country: 'US' } },
      status.NOT_FOUND,
      /title "tt99999" not found/,
    ],
    ['an unknown region', 'ListAppliances', { region: 'mars' }, status.NOT_FOUND, /region "mars" not found/],
    ['page_size 501', 'ListAppliances', { page_size: 501 }, status.INVALID_ARGUMENT, /^page_size: /],
    ['a foreign page token', 'ListAppliances', { page_token: 'nope' }, status.INVALID_ARGUMENT, /^page_token: /],
    ['evacuating no region', 'EvacuateRegion', { region: '' }, status.INVALID_ARGUMENT, /^region: is required/],
    ['evacuating an unknown region', 'EvacuateRegion', { region: 'mars' }, status.NOT_FOUND, /region "mars" not found/],
    ['restoring no region', 'RestoreRegion', { region: '' }, status.INVALID_ARGUMENT, /^region: is required/],
    ['restoring an unknown region', 'RestoreRegion', { region: 'mars' }, status.NOT_FOUND, /region "mars" not found/],
    ['planning for no region', 'PlanFill', { region: '' }, status.INVALID_ARGUMENT, /^region: is required/],
    ['max_titles 0', 'PlanFill', { region: 'us-east', max_titles: 0 }, status.INVALID_ARGUMENT, /^max_titles: /],
    ['planning for an unknown region', 'PlanFill', { region: 'mars' }, status.NOT_FOUND, /region "mars" not found/],
  ])('%s gives the right code and names the field or id', async (_case, method, request, code, message) => {
    const error = await client.fail(method, request);
    expect(error.code).toBe(code);
    expect(error.details).toMatch(message);
  });
});
