import { status } from '@grpc/grpc-js';
import { SERVICES, type ServiceDefinitions } from '@streamplane/contracts';
import { Logger, ServiceClients } from '@streamplane/platform';
import { fail, ok, ScriptedServer } from '@streamplane/testkit';
import { CatalogClient } from '../../src/adapters/catalog.client';
import { ProfilesClient } from '../../src/adapters/profiles.client';
import { DEPENDENCIES } from '../../src/application/dependencies';

/**
 * The adapters over the real resilient client and the declared policies (degrade(PERSONALISATION)),
 * against scripted profiles and catalog servers in this process.
 */
describe('recommendations’ clients of profiles and catalog', () => {
  let profiles: ScriptedServer;
  let catalog: ScriptedServer;
  let clients: ServiceClients<ServiceDefinitions>;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    [profiles, catalog] = await Promise.all([
      ScriptedServer.start(SERVICES.profiles),
      ScriptedServer.start(SERVICES.catalog),
    ]);
    const addresses: Record<string, string> = { profiles: profiles.address, catalog: catalog.address };
    const logger = new Logger('recommendations', 'debug', {}, (line) => lines.push(JSON.parse(line)));
    clients = new ServiceClients<ServiceDefinitions>(
      DEPENDENCIES,
      { target: (service) => addresses[service.name]! },
      logger,
      // One attempt per call: what is tested is the policy, not the retries.
      { resilience: { maxAttempts: 1 } },
    );
  });

  afterAll(() => {
    clients?.close();
    profiles?.stop();
    catalog?.stop();
  });

  beforeEach(() => {
    profiles.reset();
    catalog.reset();
    lines.length = 0;
  });

  const warnings = () => lines.filter((line) => line.level === 'warn').map((line) => line.msg);

  it('maps the profile and its history', async () => {
    profiles.next(
      ok({ profile_id: 'acct-0001-p1', maturity_level: 13 }),
      ok({
        entries: [
          { title_id: 'tt00007', position_seconds: 60, completed: false, watched_at: { seconds: 1_767_225_600 } },
        ],
      }),
    );
    const directory = new ProfilesClient(clients);
    expect(await directory.profile('acct-0001-p1')).toEqual({ maturityLevel: 13 });
    expect(await directory.viewingHistory('acct-0001-p1', 100)).toEqual([
      { titleId: 'tt00007', positionSeconds: 60, completed: false, watchedAtMs: 1_767_225_600_000 },
    ]);
    expect(profiles.received.map((call) => [call.method, call.request])).toEqual([
      ['GetProfile', expect.objectContaining({ profile_id: 'acct-0001-p1' })],
      ['GetViewingHistory', expect.objectContaining({ profile_id: 'acct-0001-p1', page_size: 100 })],
    ]);
  });

  it('answers undefined when profiles or catalog cannot answer, warning once per outage', async () => {
    profiles.otherwise(fail(status.UNAVAILABLE));
    catalog.otherwise(fail(status.DEADLINE_EXCEEDED));
    const directory = new ProfilesClient(clients);
    const titles = new CatalogClient(clients);
    for (let call = 0; call < 3; call++) {
      expect(await directory.profile('acct-0001-p1')).toBeUndefined();
      expect(await directory.viewingHistory('acct-0001-p1', 100)).toBeUndefined();
      expect(await titles.titles(['tt00001'])).toBeUndefined();
    }
    expect(warnings()).toEqual([
      'profiles cannot answer; degrading personalisation',
      'catalog cannot answer; degrading personalisation',
    ]);
    const stats = clients.get('profiles').statsOf('GetProfile');
    expect(stats.fallbacks).toBe(3);

    profiles.otherwise(ok({ profile_id: 'acct-0001-p1', maturity_level: 18 }));
    expect(await directory.profile('acct-0001-p1')).toEqual({ maturityLevel: 18 });
    expect(lines.some((line) => line.msg === 'profiles answers again')).toBe(true);
  });

  it('still throws NOT_FOUND for an unknown profile', async () => {
    profiles.next(fail(status.NOT_FOUND));
    await expect(new ProfilesClient(clients).profile('acct-0001-p9')).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
  });

  it('lists every catalog title page by page for the snapshot, and fails when catalog cannot answer', async () => {
    catalog.next(
      ok({ titles: [{ title_id: 'tt00001' }, { title_id: 'tt00002' }], next_page_token: 'page-2' }),
      ok({ titles: [{ title_id: 'tt00003' }], next_page_token: '' }),
    );
    const listing = await new CatalogClient(clients).listAll();
    expect(listing.pages).toBe(2);
    expect(listing.titles.map((title) => title.title_id)).toEqual(['tt00001', 'tt00002', 'tt00003']);
    expect(catalog.received.map((call) => call.request.page_token)).toEqual(['', 'page-2']);
    expect(catalog.received.every((call) => call.request.page_size === 500)).toBe(true);

    catalog.otherwise(fail(status.UNAVAILABLE));
    await expect(new CatalogClient(clients).listAll()).rejects.toMatchObject({ code: status.UNAVAILABLE });
  });
});
