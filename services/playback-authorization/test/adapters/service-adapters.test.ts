import { status } from '@grpc/grpc-js';
import type { ServiceDefinitions } from '@streamplane/contracts';
import { Logger, ServiceClients, UnavailableError, type ServiceDescriptor } from '@streamplane/platform';
import { ORIGIN_APPLIANCE_ID } from '@streamplane/streaming';
import { fail, ManualClock, ok, ScriptedServer } from '@streamplane/testkit';
import { BillingAdapter } from '../../src/adapters/billing.adapter';
import { CatalogAdapter } from '../../src/adapters/catalog.adapter';
import { InMemorySessionStore } from '../../src/adapters/in-memory-session-store';
import { ProfilesAdapter } from '../../src/adapters/profiles.adapter';
import { SteeringAdapter } from '../../src/adapters/steering.adapter';
import { SubtitlesAdapter } from '../../src/adapters/subtitles.adapter';
import { DEPENDENCIES } from '../../src/application/dependencies';
import { PlayPath } from '../../src/application/play-path';
import { playPathPorts } from '../../src/adapters/play-path-ports';

const EXPIRES_AT = { seconds: String(Math.floor(Date.parse('2030-01-01T00:00:00Z') / 1000)), nanos: 0 };

/**
 * The adapters over real resilient clients built from the declared DEPENDENCIES, against scripted
 * servers: what "fail closed" and "degrade" mean on the wire. One attempt per call, so an unreachable
 * target fails at once.
 */
describe('service adapters', () => {
  const servers = new Map<string, ScriptedServer>();
  let clients: ServiceClients<ServiceDefinitions>;

  beforeAll(async () => {
    for (const { service } of DEPENDENCIES) servers.set(service.name, await ScriptedServer.start(service));
  });

  afterAll(() => {
    for (const server of servers.values()) server.stop();
  });

  beforeEach(() => {
    for (const server of servers.values()) server.reset();
    const discovery = { target: (service: ServiceDescriptor) => servers.get(service.name)!.address };
    // Fresh clients, hence fresh breakers: one test's failures never open a breaker for the next.
    clients = new ServiceClients(DEPENDENCIES, discovery, new Logger('playback-authorization', 'error'), {
      resilience: { maxAttempts: 1 },
    });
  });

  afterEach(() => clients.close());

  const server = (name: string) => servers.get(name)!;

  describe('fail closed', () => {
    it.each([
      ['GetProfile', 'profiles', () => new ProfilesAdapter(clients.get('profiles')).profile('acct-0001-p1')],
      ['GetEntitlement', 'billing', () => new BillingAdapter(clients.get('billing')).entitlement('acct-0001')],
      ['GetTitle', 'catalog', () => new CatalogAdapter(clients.get('catalog')).title('tt00001')],
      ['GetEncodingLadder', 'catalog', () => new CatalogAdapter(clients.get('catalog')).ladder('tt00001')],
    ])('%s of %s unreachable: UNAVAILABLE naming the service', async (_method, name, ask) => {
      server(name).otherwise(fail(status.UNAVAILABLE));
      const refused = ask();
      await expect(refused).rejects.toThrow(UnavailableError);
      await expect(refused).rejects.toThrow(`${name} is unavailable`);
    });

    it('passes an answer such as NOT_FOUND through as it is', async () => {
      server('profiles').otherwise({ kind: 'fail', code: status.NOT_FOUND, details: 'profile "p9" not found' });
      const refused = new ProfilesAdapter(clients.get('profiles')).profile('p9');
      await expect(refused).rejects.toMatchObject({ code: status.NOT_FOUND, details: 'profile "p9" not found' });
    });

    it('maps the answers onto the play path’s facts', async () => {
      server('profiles').otherwise(ok({ profile_id: 'acct-0001-p1', account_id: 'acct-0001', maturity_level: 7 }));
      server('billing').otherwise(
        ok({ active: true, plan_id: 'basic', max_streams: 1, max_resolution_height: 720, hdr_allowed: false }),
      );
      server('catalog').otherwise(
        ok({
          title_id: 'tt00001',
          maturity_level: 13,
          available_countries: ['US', 'DE'],
          renditions: [{ codec: 'h264', width: 320, height: 240, bitrate_kbps: 235, hdr: false }],
        }),
      );
      const catalog = new CatalogAdapter(clients.get('catalog'));
      expect(await new ProfilesAdapter(clients.get('profiles')).profile('acct-0001-p1')).toEqual({
        profileId: 'acct-0001-p1',
        accountId: 'acct-0001',
        maturityLevel: 7,
      });
      expect(await new BillingAdapter(clients.get('billing')).entitlement('acct-0001')).toEqual({
        active: true,
        planId: 'basic',
        maxStreams: 1,
        maxResolutionHeight: 720,
        hdrAllowed: false,
      });
      expect(await catalog.title('tt00001')).toEqual({
        titleId: 'tt00001',
        maturityLevel: 13,
        availableCountries: ['US', 'DE'],
      });
      expect(await catalog.ladder('tt00001')).toEqual([
        { codec: 'h264', width: 320, height: 240, bitrateKbps: 235, hdr: false },
      ]);
      expect(server('billing').received[0]!.request).toMatchObject({ account_id: 'acct-0001' });
    });
  });

  describe('degrade', () => {
    it('steering unreachable: undefined, counted as a fallback', async () => {
      server('steering').otherwise(fail(status.UNAVAILABLE));
      expect(await new SteeringAdapter(clients.get('steering')).candidates('tt00001', client())).toBeUndefined();
      expect(clients.get('steering').statsOf('SteerPlayback').fallbacks).toBe(1);
    });

    it('subtitles unreachable: undefined, counted as a fallback', async () => {
      server('subtitles').otherwise(fail(status.UNAVAILABLE));
      expect(await new SubtitlesAdapter(clients.get('subtitles')).tracks('tt00001')).toBeUndefined();
      expect(clients.get('subtitles').statsOf('ListTracks').fallbacks).toBe(1);
    });

    it('steering knowing no appliance that stocks the title: no candidates, not an outage', async () => {
      server('steering').otherwise(fail(status.NOT_FOUND));
      expect(await new SteeringAdapter(clients.get('steering')).candidates('tt00001', client())).toEqual([]);
      expect(clients.get('steering').statsOf('SteerPlayback').fallbacks).toBe(0);
    });

    it('steering answering: its ranked candidates as CDN URLs; subtitles: one page of every track', async () => {
      server('steering').otherwise(
        ok({ candidates: [{ appliance_id: 'oca-1', url: 'https://oca-1/tt00001', rank: 1, expires_at: EXPIRES_AT }] }),
      );
      server('subtitles').otherwise(
        ok({ tracks: [{ track_id: 'tt00001-en-cc', title_id: 'tt00001', language: 'en' }] }),
      );
      expect(await new SteeringAdapter(clients.get('steering')).candidates('tt00001', client())).toEqual([
        { url: 'https://oca-1/tt00001', applianceId: 'oca-1', rank: 1, expiresAt: new Date('2030-01-01T00:00:00Z') },
      ]);
      expect(server('steering').received[0]!.request).toMatchObject({ title_id: 'tt00001', client: client() });
      const tracks = await new SubtitlesAdapter(clients.get('subtitles')).tracks('tt00001');
      expect(tracks?.map((track) => track.track_id)).toEqual(['tt00001-en-cc']);
      expect(server('subtitles').received[0]!.request).toMatchObject({ title_id: 'tt00001', page_size: 200 });
    });
  });

  it('a play with steering and subtitles unreachable still gets a grant: origin URL, no tracks, both named', async () => {
    server('profiles').otherwise(ok({ profile_id: 'acct-0001-p1', account_id: 'acct-0001', maturity_level: 18 }));
    server('billing').otherwise(
      ok({ active: true, plan_id: 'premium', max_streams: 4, max_resolution_height: 2160, hdr_allowed: true }),
    );
    server('catalog').otherwise(
      ok({
        title_id: 'tt00001',
        maturity_level: 13,
        available_countries: ['US'],
        renditions: [{ codec: 'h264', width: 1280, height: 720, bitrate_kbps: 3000, hdr: false }],
      }),
    );
    server('steering').otherwise(fail(status.UNAVAILABLE));
    server('subtitles').otherwise(fail(status.DEADLINE_EXCEEDED));
    const playPath = new PlayPath(playPathPorts(clients, new InMemorySessionStore()), {
      clock: new ManualClock(),
      sessionTtlMs: 60_000,
      cdnSecret: 'cdn-secret-of-the-tests',
    });
    const grant = await playPath.authorize('acct-0001', {
      profileId: 'acct-0001-p1',
      titleId: 'tt00001',
      device: { deviceId: 'tv', maxHeight: 0, supportsHdr: false, codecs: [] },
      client: client(),
    });
    expect(grant.cdnUrls.map((cdnUrl) => cdnUrl.applianceId)).toEqual([ORIGIN_APPLIANCE_ID]);
    expect(grant.subtitleTracks).toEqual([]);
    expect(grant.degradedFeatures).toEqual(['steering', 'subtitles']);
  });
});

function client() {
  return { ip: '203.0.113.7', country: 'US', asn: 0 };
}
