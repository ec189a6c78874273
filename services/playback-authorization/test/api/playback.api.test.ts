import { status } from '@grpc/grpc-js';
import { SERVICES } from '@streamplane/contracts';
import { startService, type RunningService } from '@streamplane/platform';
import { LOCAL_DEVELOPMENT_SECRET, signAccountToken } from '@streamplane/streaming';
import { ok, ScriptedServer, testClient, type TestClient } from '@streamplane/testkit';
import { DEPENDENCIES } from '../../src/application/dependencies';
import { playbackConfigSchema } from '../../src/config';
import { PlaybackModule } from '../../src/playback.module';

const TTL_SECONDS = 2;
const EXPIRES_AT = { seconds: String(Math.floor(Date.parse('2030-01-01T00:00:00Z') / 1000)) };

/** Answers of the five dependencies, one per service (the catalog's covers both of its methods). */
const ANSWERS: Record<string, object> = {
  profiles: { profile_id: 'acct-0001-p1', account_id: 'acct-0001', maturity_level: 18 },
  billing: {
    account_id: 'acct-0001',
    active: true,
    plan_id: 'standard',
    max_streams: 2,
    max_resolution_height: 1080,
    hdr_allowed: false,
  },
  catalog: {
    title_id: 'tt00001',
    maturity_level: 13,
    available_countries: ['US'],
    renditions: [
      { codec: 'h264', width: 1920, height: 1080, bitrate_kbps: 5800, hdr: false },
      { codec: 'h264', width: 320, height: 240, bitrate_kbps: 235, hdr: false },
      { codec: 'hevc', width: 3840, height: 2160, bitrate_kbps: 16800, hdr: true },
    ],
  },
  steering: {
    candidates: [
      { appliance_id: 'oca-1', url: 'https://oca-1/tt00001', rank: 1, expires_at: EXPIRES_AT },
      { appliance_id: 'oca-2', url: 'https://oca-2/tt00001', rank: 2, expires_at: EXPIRES_AT },
    ],
  },
  subtitles: {
    tracks: [{ track_id: 'tt00001-en-cc', title_id: 'tt00001', language: 'en', label: 'English [CC]' }],
  },
};

const DEVICE = { device_id: 'tv', max_height: 2160, supports_hdr: true, codecs: ['h264', 'hevc'] };
const CLIENT = { ip: '203.0.113.7', country: 'US', asn: 0 };

function play(profileId: string, titleId = 'tt00001', overrides: Record<string, unknown> = {}) {
  return { profile_id: profileId, title_id: titleId, device: DEVICE, client: CLIENT, ...overrides };
}

function bearer(accountId: string, options: { secret?: string; expiresInSeconds?: number } = {}) {
  return {
    authorization: `Bearer ${signAccountToken(accountId, options.secret ?? LOCAL_DEVELOPMENT_SECRET, options)}`,
  };
}

interface Grant {
  playback_session_id: string;
  license_token: string;
  expires_at: { seconds: string };
  renditions: { codec: string; height: number; bitrate_kbps: number }[];
  cdn_urls: { url: string; appliance_id: string; rank: number; expires_at: { seconds: string } }[];
  subtitle_tracks: { track_id: string; language: string }[];
  degraded_features: string[];
}

/**
 * The service's Nest module in this process (the guard, the validation pipes, the mappers and the play
 * path), in front of scripted dependencies: what a call looks like on the wire, without spawning.
 */
describe('playback-authorization in process', () => {
  const dependencies = new Map<string, ScriptedServer>();
  let running: RunningService;
  let client: TestClient;

  beforeAll(async () => {
    for (const { service } of DEPENDENCIES) {
      const scripted = await ScriptedServer.start(service);
      dependencies.set(service.name, scripted.otherwise(ok(ANSWERS[service.name])));
    }
    running = await startService({
      service: SERVICES['playback-authorization'],
      module: PlaybackModule,
      configSchema: playbackConfigSchema,
      dependencies: DEPENDENCIES,
      env: {
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: '0',
        LOG_LEVEL: 'error',
        PLAYBACK_SESSION_TTL_SECONDS: String(TTL_SECONDS),
        ...Object.fromEntries(
          [...dependencies].map(([name, scripted]) => [`${name.toUpperCase()}_ADDR`, scripted.address]),
        ),
      },
    });
    client = testClient(SERVICES['playback-authorization'], `127.0.0.1:${running.port}`);
  });

  afterAll(async () => {
    client?.close();
    await running?.shutdown('tests done');
    for (const scripted of dependencies.values()) scripted.stop();
  });

  const dependencyCalls = () => [...dependencies.values()].reduce((sum, scripted) => sum + scripted.count(), 0);

  describe('a grant', () => {
    let grant: Grant;
    let grantedAt: number;

    beforeAll(async () => {
      grantedAt = Date.now();
      grant = await client.call<Grant>('AuthorizePlayback', play('acct-0001-p1'), { metadata: bearer('acct-0001') });
    });

    it('asks billing about the token’s account and each dependency once per method', () => {
      expect(dependencies.get('billing')!.received.map((call) => call.request.account_id)).toEqual(['acct-0001']);
      expect(
        dependencies
          .get('catalog')!
          .received.map((call) => call.method)
          .sort(),
      ).toEqual(['GetEncodingLadder', 'GetTitle']);
      for (const name of ['profiles', 'billing', 'steering', 'subtitles'])
        expect(dependencies.get(name)!.count()).toBe(1);
    });

    it('is one PLAYBACK_SESSION_TTL_SECONDS long, with a license', () => {
      expect(grant.playback_session_id).toMatch(/^ps-/);
      expect(grant.license_token).not.toBe('');
      const expiresIn = Number(grant.expires_at.seconds) - grantedAt / 1000;
      expect(expiresIn).toBeGreaterThan(TTL_SECONDS - 1.5);
      expect(expiresIn).toBeLessThanOrEqual(TTL_SECONDS + 1);
    });

    it('maps renditions, CDN URLs and subtitle tracks onto the message', () => {
      expect(grant.renditions.map((rendition) => [rendition.codec, rendition.height, rendition.bitrate_kbps])).toEqual([
        ['h264', 240, 235],
        ['h264', 1080, 5800],
      ]);
      expect(grant.cdn_urls).toEqual([
        {
          url: 'https://oca-1/tt00001',
          appliance_id: 'oca-1',
          rank: 1,
          expires_at: expect.objectContaining(EXPIRES_AT),
        },
        {
          url: 'https://oca-2/tt00001',
          appliance_id: 'oca-2',
          rank: 2,
          expires_at: expect.objectContaining(EXPIRES_AT),
        },
      ]);
      expect(grant.subtitle_tracks).toEqual([
        expect.objectContaining({ track_id: 'tt00001-en-cc', language: 'en', label: 'English [CC]' }),
      ]);
      expect(grant.degraded_features).toEqual([]);
    });

    it('heartbeats and stops as the token’s account', async () => {
      const metadata = bearer('acct-0001');
      const session = { playback_session_id: grant.playback_session_id };
      const beat = await client.call<{ playback_session_id: string; expires_at: { seconds: string } }>(
        'Heartbeat',
        session,
        { metadata },
      );
      expect(beat.playback_session_id).toBe(grant.playback_session_id);
      expect(Number(beat.expires_at.seconds)).toBeGreaterThanOrEqual(Number(grant.expires_at.seconds));
      const stranger = await client.fail('Heartbeat', session, { metadata: bearer('acct-0002') });
      expect(stranger.code).toBe(status.PERMISSION_DENIED);

      expect(await client.call('StopPlayback', session, { metadata })).toEqual({});
      const gone = await client.fail('Heartbeat', session, { metadata });
      expect(gone.code).toBe(status.NOT_FOUND);
      expect(gone.details).toContain(grant.playback_session_id);
    });
  });

  describe('authentication, before anything else', () => {
    it.each([
      ['no token', {}, /missing authorization/],
      ['a token that is not a bearer token', { authorization: 'Basic YWxhZGRpbjpvcGVu' }, /Bearer/],
      ['a token signed with another secret', bearer('acct-0001', { secret: 'not-the-platform-secret!' }), /signature/],
      ['an expired token', bearer('acct-0001', { expiresInSeconds: -60 }), /expired/],
      ['garbage', { authorization: 'Bearer abc.def' }, /not a JWT/],
    ])('UNAUTHENTICATED for %s', async (_, metadata, message) => {
      const before = dependencyCalls();
      const error = await client.fail('AuthorizePlayback', play('acct-0001-p1'), { metadata });
      expect(error.code).toBe(status.UNAUTHENTICATED);
      expect(error.details).toMatch(message);
      expect(dependencyCalls()).toBe(before);
    });

    it('UNAUTHENTICATED, not INVALID_ARGUMENT, for an anonymous malformed request', async () => {
      const error = await client.fail('AuthorizePlayback', { ...play(''), device: undefined, client: undefined });
      expect(error.code).toBe(status.UNAUTHENTICATED);
    });

    it.each(['Heartbeat', 'StopPlayback'])('%s needs a session id and a token', async (method) => {
      const missing = await client.fail(method, { playback_session_id: '' }, { metadata: bearer('acct-0001') });
      expect(missing.code).toBe(status.INVALID_ARGUMENT);
      expect(missing.details).toMatch(/^playback_session_id: is required/);
      const anonymous = await client.fail(method, { playback_session_id: 'ps-x' });
      expect(anonymous.code).toBe(status.UNAUTHENTICATED);
      const anonymousAndMissing = await client.fail(method, { playback_session_id: '' });
      expect(anonymousAndMissing.code).toBe(status.UNAUTHENTICATED);
    });
  });

  describe('validation', () => {
    it.each([
      ['profile_id', play('')],
      ['title_id', play('acct-0001-p1', '')],
      ['device', { ...play('acct-0001-p1'), device: undefined }],
      ['device.device_id', play('acct-0001-p1', 'tt00001', { device: { ...DEVICE, device_id: '' } })],
      ['device.max_height', play('acct-0001-p1', 'tt00001', { device: { ...DEVICE, max_height: -1 } })],
      ['device.codecs[1]', play('acct-0001-p1', 'tt00001', { device: { ...DEVICE, codecs: ['h264', 'not a codec'] } })],
      ['client', { ...play('acct-0001-p1'), client: undefined }],
      ['client.country', play('acct-0001-p1', 'tt00001', { client: { ...CLIENT, country: '' } })],
      ['client.country', play('acct-0001-p1', 'tt00001', { client: { ...CLIENT, country: 'USA' } })],
      ['client.ip', play('acct-0001-p1', 'tt00001', { client: { ...CLIENT, ip: '999.1.1.1' } })],
    ])('INVALID_ARGUMENT naming %s, asking no dependency', async (field, request) => {
      const before = dependencyCalls();
      const error = await client.fail('AuthorizePlayback', request, { metadata: bearer('acct-0001') });
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.details.startsWith(`${field}: `)).toBe(true);
      expect(dependencyCalls()).toBe(before);
    });
  });
});
