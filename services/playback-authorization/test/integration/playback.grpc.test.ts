import { status } from '@grpc/grpc-js';
import { verifyCdnUrl, LOCAL_DEVELOPMENT_SECRET } from '@streamplane/streaming';
import { SERVICES } from '@streamplane/contracts';
import { testClient, type TestClient } from '@streamplane/testkit';
import type { ServiceProcess } from '@streamplane/testkit';
import { bearer, play, startPlayPath, type Grant, type PlayPathProcesses, type Timestamp } from './play-path-fixture';

/**
 * playback-authorization, sessions in memory, and the five services it asks, as real processes: the
 * seeded facts and the injected faults end to end. Authentication and request validation are tested in
 * process (test/api), session expiry with a manual clock (test/application).
 */
describe('playback-authorization over gRPC', () => {
  let playPath: PlayPathProcesses;
  let playback: ServiceProcess;
  let client: TestClient;

  beforeAll(async () => {
    playPath = await startPlayPath();
    playback = await playPath.startPlayback();
    client = testClient(SERVICES['playback-authorization'], playback.address);
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await playPath?.stop();
  });

  describe('a grant', () => {
    let grant: Grant;

    beforeAll(async () => {
      grant = await client.call<Grant>('AuthorizePlayback', play('acct-0001-p1'), { metadata: bearer('acct-0001') });
    });

    afterAll(async () => {
      await client.call(
        'StopPlayback',
        { playback_session_id: grant.playback_session_id },
        { metadata: bearer('acct-0001') },
      );
    });

    it('opens a session with a license and an expiry about one TTL away', () => {
      expect(grant.playback_session_id).toMatch(/^ps-/);
      expect(grant.license_token).not.toBe('');
      const expiresIn = Number(grant.expires_at.seconds) - Date.now() / 1000;
      expect(expiresIn).toBeGreaterThan(30);
      expect(expiresIn).toBeLessThanOrEqual(61);
      expect(grant.degraded_features).toEqual([]);
    });

    it('streams the premium ladder up to 2160p HDR, ascending bitrate', () => {
      const heights = grant.renditions.map((rendition) => rendition.height);
      expect(Math.max(...heights)).toBe(2160);
      expect(grant.renditions.some((rendition) => rendition.hdr)).toBe(true);
      const bitrates = grant.renditions.map((rendition) => rendition.bitrate_kbps);
      expect(bitrates).toEqual([...bitrates].sort((a, b) => a - b));
    });

    it('ranks signed CDN URLs from steering that an appliance would accept', () => {
      expect(grant.cdn_urls.length).toBeGreaterThan(0);
      expect(grant.cdn_urls.map((cdnUrl) => cdnUrl.rank)).toEqual(grant.cdn_urls.map((_, index) => index + 1));
      for (const cdnUrl of grant.cdn_urls) {
        expect(cdnUrl.url).toContain(cdnUrl.appliance_id);
        expect(verifyCdnUrl(cdnUrl.url, LOCAL_DEVELOPMENT_SECRET, new Date())).toBe(true);
      }
    });

    it('lists the title’s subtitle tracks', () => {
      expect(grant.subtitle_tracks.map((track) => track.language)).toContain('en');
    });
  });

  it('cuts the ladder to the plan and the device', async () => {
    const standard = playPath.accountOnPlan('standard');
    const grant = await client.call<Grant>('AuthorizePlayback', play(`${standard}-p1`), { metadata: bearer(standard) });
    expect(Math.max(...grant.renditions.map((rendition) => rendition.height))).toBe(1080);
    expect(grant.renditions.some((rendition) => rendition.hdr)).toBe(false);

    const phone = { device_id: 'phone', max_height: 720, supports_hdr: false, codecs: [] };
    const small = await client.call<Grant>('AuthorizePlayback', play('acct-0001-p2', 'tt00001', { device: phone }), {
      metadata: bearer('acct-0001'),
    });
    expect(small.renditions.every((rendition) => rendition.height <= 720 && rendition.codec === 'h264')).toBe(true);
    for (const [accountId, sessionId] of [
      [standard, grant.playback_session_id],
      ['acct-0001', small.playback_session_id],
    ] as const) {
      await client.call('StopPlayback', { playback_session_id: sessionId }, { metadata: bearer(accountId) });
    }
  });

  describe('the concurrent-stream limit', () => {
    it.each([
      ['premium', 4],
      ['standard', 2],
      ['basic', 1],
    ])('%s allows %d streams; a stopped session frees its slot', async (plan, limit) => {
      const accountId = playPath.accountOnPlan(plan);
      const metadata = bearer(accountId);
      const sessions: string[] = [];
      for (let stream = 0; stream < limit; stream++) {
        const grant = await client.call<Grant>('AuthorizePlayback', play(`${accountId}-p1`), { metadata });
        sessions.push(grant.playback_session_id);
      }
      const refused = await client.fail('AuthorizePlayback', play(`${accountId}-p1`), { metadata });
      expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(refused.details).toContain(`${limit} of ${limit}`);

      await client.call('StopPlayback', { playback_session_id: sessions[0] }, { metadata });
      const again = await client.call<Grant>('AuthorizePlayback', play(`${accountId}-p1`), { metadata });
      expect(again.playback_session_id).not.toBe(sessions[0]);
    });
  });

  describe('sessions', () => {
    it('heartbeats move the expiry; stop ends the session; another account can do neither', async () => {
      const metadata = bearer('acct-0001');
      const grant = await client.call<Grant>('AuthorizePlayback', play('acct-0001-p3'), { metadata });
      const beat = await client.call<{ playback_session_id: string; expires_at: Timestamp }>(
        'Heartbeat',
        { playback_session_id: grant.playback_session_id },
        { metadata },
      );
      expect(beat.playback_session_id).toBe(grant.playback_session_id);
      expect(Number(beat.expires_at.seconds)).toBeGreaterThanOrEqual(Number(grant.expires_at.seconds));

      const stranger = bearer('acct-0002');
      for (const method of ['Heartbeat', 'StopPlayback']) {
        const denied = await client.fail(
          method,
          { playback_session_id: grant.playback_session_id },
          { metadata: stranger },
        );
        expect(denied.code).toBe(status.PERMISSION_DENIED);
      }

      await client.call('StopPlayback', { playback_session_id: grant.playback_session_id }, { metadata });
      for (const method of ['Heartbeat', 'StopPlayback']) {
        const gone = await client.fail(method, { playback_session_id: grant.playback_session_id }, { metadata });
        expect(gone.code).toBe(status.NOT_FOUND);
        expect(gone.details).toContain(grant.playback_session_id);
      }
    });
  });

  describe('refusals', () => {
    const owner = bearer('acct-0001');

    it('PERMISSION_DENIED when a token of one account plays another account’s profile', async () => {
      const error = await client.fail('AuthorizePlayback', play('acct-0001-p1'), { metadata: bearer('acct-0002') });
      expect(error.code).toBe(status.PERMISSION_DENIED);
      expect(error.details).toContain('acct-0001-p1');
    });

    it('PERMISSION_DENIED when a kids profile asks for a mature title; the kids title plays', async () => {
      const error = await client.fail('AuthorizePlayback', play('acct-0001-p5', 'tt00003'), { metadata: owner });
      expect(error.code).toBe(status.PERMISSION_DENIED);
      expect(error.details).toMatch(/tt00003.*18\+.*acct-0001-p5.*7/);
      const grant = await client.call<Grant>('AuthorizePlayback', play('acct-0001-p5', 'tt00002'), { metadata: owner });
      await client.call('StopPlayback', { playback_session_id: grant.playback_session_id }, { metadata: owner });
    });

    it('FAILED_PRECONDITION for a canceled subscription and for a title not available in the country', async () => {
      const canceled = await client.fail('AuthorizePlayback', play('acct-0004-p1', 'tt00002'), {
        metadata: bearer('acct-0004'),
      });
      expect(canceled.code).toBe(status.FAILED_PRECONDITION);
      expect(canceled.details).toMatch(/acct-0004 has no active subscription/);

      const elsewhere = await client.fail('AuthorizePlayback', play('acct-0001-p1', 'tt00004'), { metadata: owner });
      expect(elsewhere.code).toBe(status.FAILED_PRECONDITION);
      expect(elsewhere.details).toMatch(/tt00004.*not available in US/);
    });

    it('a refused play holds no slot', async () => {
      const accountId = playPath.accountOnPlan('basic');
      const metadata = bearer(accountId);
      const refused = await client.fail('AuthorizePlayback', play(`${accountId}-p1`, 'tt00004'), { metadata });
      expect(refused.code).toBe(status.FAILED_PRECONDITION);
      const grant = await client.call<Grant>('AuthorizePlayback', play(`${accountId}-p1`, 'tt00002'), { metadata });
      await client.call('StopPlayback', { playback_session_id: grant.playback_session_id }, { metadata });
    });

    it.each([
      ['an unknown profile', play('acct-0001-p9'), /acct-0001-p9/],
      ['an unknown title', play('acct-0001-p1', 'tt99999'), /tt99999/],
    ])('NOT_FOUND for %s', async (_, request, message) => {
      const error = await client.fail('AuthorizePlayback', request, { metadata: owner });
      expect(error.code).toBe(status.NOT_FOUND);
      expect(error.details).toMatch(message);
    });
  });

  describe('degradation', () => {
    const owner = bearer('acct-0001');
    const withFault = (fault: string) => ({ ...owner, 'x-streamplane-fault': fault });

    async function grantUnder(fault: string): Promise<Grant> {
      const grant = await client.call<Grant>('AuthorizePlayback', play('acct-0001-p2'), { metadata: withFault(fault) });
      await client.call('StopPlayback', { playback_session_id: grant.playback_session_id }, { metadata: owner });
      return grant;
    }

    it('subtitles unavailable: the grant comes without tracks and says so', async () => {
      const grant = await grantUnder('subtitles=UNAVAILABLE');
      expect(grant.subtitle_tracks).toEqual([]);
      expect(grant.degraded_features).toEqual(['subtitles']);
      expect(grant.cdn_urls.length).toBeGreaterThan(0);
    });

    it('steering unavailable: the origin URL only, signed, and says so', async () => {
      const grant = await grantUnder('steering=UNAVAILABLE');
      expect(grant.degraded_features).toEqual(['steering']);
      expect(grant.cdn_urls).toHaveLength(1);
      expect(grant.cdn_urls[0]).toMatchObject({ appliance_id: 'origin', rank: 1 });
      expect(verifyCdnUrl(grant.cdn_urls[0]!.url, LOCAL_DEVELOPMENT_SECRET, new Date())).toBe(true);
      expect(grant.subtitle_tracks.length).toBeGreaterThan(0);
    });

    it('both optional parts down at once: still a grant, both named', async () => {
      const grant = await grantUnder('steering=UNAVAILABLE,subtitles=UNAVAILABLE');
      expect(grant.degraded_features).toEqual(['steering', 'subtitles']);
    });

    it.each(['billing', 'profiles', 'catalog'])(
      '%s unavailable: the play fails closed with UNAVAILABLE',
      async (service) => {
        const error = await client.fail('AuthorizePlayback', play('acct-0001-p2'), {
          metadata: withFault(`${service}=UNAVAILABLE`),
        });
        expect(error.code).toBe(status.UNAVAILABLE);
        expect(error.details).toContain(`${service} is unavailable`);
      },
    );
  });
});
