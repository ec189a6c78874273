import {
  FailedPreconditionError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnavailableError,
} from '@streamplane/platform/errors';
import { ORIGIN_APPLIANCE_ID, verifyCdnUrl } from '@streamplane/streaming';
import { ManualClock } from '@streamplane/testkit';
import { InMemorySessionStore } from '../../src/adapters/in-memory-session-store';
import { DEPENDENCIES } from '../../src/application/dependencies';
import { PlayPath, type PlayRequest } from '../../src/application/play-path';
import type {
  CdnSteering,
  EncodingLadders,
  Entitlement,
  Entitlements,
  Profiles,
  SubtitleTrack,
  SubtitleTracks,
  Titles,
} from '../../src/application/ports';
import { licenseToken, type CdnUrl, type ProfileFacts, type Rendition, type TitleFacts } from '../../src/domain';

const CDN_SECRET = 'cdn-secret-of-the-tests';
const TTL_MS = 60_000;

const LADDER: Rendition[] = [
  { codec: 'hevc', width: 3840, height: 2160, bitrateKbps: 16800, hdr: true },
  { codec: 'h264', width: 320, height: 240, bitrateKbps: 235, hdr: false },
  { codec: 'h264', width: 1280, height: 720, bitrateKbps: 3000, hdr: false },
  { codec: 'h264', width: 1920, height: 1080, bitrateKbps: 5800, hdr: false },
  { codec: 'hevc', width: 3840, height: 2160, bitrateKbps: 16000, hdr: false },
];

const PLANS: Record<string, Entitlement> = {
  premium: { active: true, planId: 'premium', maxStreams: 4, maxResolutionHeight: 2160, hdrAllowed: true },
  standard: { active: true, planId: 'standard', maxStreams: 2, maxResolutionHeight: 1080, hdrAllowed: false },
  basic: { active: true, planId: 'basic', maxStreams: 1, maxResolutionHeight: 720, hdrAllowed: false },
  canceled: { active: false, planId: 'standard', maxStreams: 0, maxResolutionHeight: 1080, hdrAllowed: false },
};

const TRACKS = [
  { track_id: 'tt00001-en-cc', title_id: 'tt00001', language: 'en', kind: 'TRACK_KIND_CAPTIONS' },
  { track_id: 'tt00001-de-sub', title_id: 'tt00001', language: 'de', kind: 'TRACK_KIND_SUBTITLES' },
].map((track) => ({ ...track, label: track.language, format: 'text/vtt', content: '' })) as SubtitleTrack[];

type FailClosedDependency = 'profiles' | 'billing' | 'catalog';

/**
 * The five services of the play path as small fakes over a handful of facts. A fail-closed fake that is
 * "unreachable" throws what its resilient client throws then (UnavailableError naming it); a degrading one
 * answers undefined, as `optional()` does.
 */
class FakeServices implements Profiles, Titles, Entitlements, EncodingLadders, CdnSteering, SubtitleTracks {
  readonly unreachable = new Set<FailClosedDependency | 'steering' | 'subtitles'>();
  readonly asked = { profile: 0, title: 0, entitlement: 0, ladder: 0, candidates: 0, tracks: 0 };
  readonly profiles = new Map<string, ProfileFacts>([
    ['acct-0001-p1', { profileId: 'acct-0001-p1', accountId: 'acct-0001', maturityLevel: 18 }],
    ['acct-0001-p5', { profileId: 'acct-0001-p5', accountId: 'acct-0001', maturityLevel: 7 }],
  ]);
  readonly titles = new Map<string, TitleFacts>([
    ['tt00001', { titleId: 'tt00001', maturityLevel: 13, availableCountries: ['US', 'DE'] }],
    ['tt00002', { titleId: 'tt00002', maturityLevel: 7, availableCountries: ['US'] }],
    ['tt00003', { titleId: 'tt00003', maturityLevel: 18, availableCountries: ['US'] }],
    ['tt00004', { titleId: 'tt00004', maturityLevel: 13, availableCountries: ['JP'] }],
  ]);
  readonly plans = new Map<string, Entitlement>([['acct-0001', PLANS.premium!]]);
  readonly steered: CdnUrl[] = [
    { url: 'https://oca-1/tt00001', applianceId: 'oca-1', rank: 1, expiresAt: new Date('2026-01-01T01:00:00Z') },
    { url: 'https://oca-2/tt00001', applianceId: 'oca-2', rank: 2, expiresAt: new Date('2026-01-01T01:00:00Z') },
  ];

  /** An account of its own on `plan`, with one profile of maturity 18. */
  accountOn(plan: keyof typeof PLANS, accountId: string): string {
    this.plans.set(accountId, PLANS[plan]!);
    this.profiles.set(`${accountId}-p1`, { profileId: `${accountId}-p1`, accountId, maturityLevel: 18 });
    return accountId;
  }

  async profile(profileId: string): Promise<ProfileFacts> {
    this.asked.profile += 1;
    this.failClosedIfUnreachable('profiles');
    return found(this.profiles.get(profileId), 'profile', profileId);
  }

  async title(titleId: string): Promise<TitleFacts> {
    this.asked.title += 1;
    this.failClosedIfUnreachable('catalog');
    return found(this.titles.get(titleId), 'title', titleId);
  }

  async ladder(titleId: string): Promise<Rendition[]> {
    this.asked.ladder += 1;
    this.failClosedIfUnreachable('catalog');
    found(this.titles.get(titleId), 'title', titleId);
    return LADDER.map((rendition) => ({ ...rendition }));
  }

  async entitlement(accountId: string): Promise<Entitlement> {
    this.asked.entitlement += 1;
    this.failClosedIfUnreachable('billing');
    return this.plans.get(accountId) ?? PLANS.canceled!;
  }

  async candidates(): Promise<CdnUrl[] | undefined> {
    this.asked.candidates += 1;
    return this.unreachable.has('steering') ? undefined : this.steered;
  }

  async tracks(): Promise<SubtitleTrack[] | undefined> {
    this.asked.tracks += 1;
    return this.unreachable.has('subtitles') ? undefined : TRACKS;
  }

  private failClosedIfUnreachable(dependency: FailClosedDependency): void {
    if (this.unreachable.has(dependency)) {
      throw new UnavailableError(`${dependency} is unavailable: connect ECONNREFUSED`);
    }
  }
}

function found<T>(value: T | undefined, resource: string, id: string): T {
  if (value === undefined) throw new NotFoundError(resource, id);
  return value;
}

const PREMIUM_4K_HDR_DEVICE = {
  deviceId: 'tv-living-room',
  maxHeight: 2160,
  supportsHdr: true,
  codecs: ['h264', 'hevc'],
};
const PHONE = { deviceId: 'phone', maxHeight: 720, supportsHdr: false, codecs: [] };

function play(profileId: string, titleId = 'tt00001', overrides: Partial<PlayRequest> = {}): PlayRequest {
  return {
    profileId,
    titleId,
    device: PREMIUM_4K_HDR_DEVICE,
    client: { ip: '203.0.113.7', country: 'US', asn: 0 },
    ...overrides,
  };
}

describe('PlayPath', () => {
  let clock: ManualClock;
  let services: FakeServices;
  let sessions: InMemorySessionStore;
  let playPath: PlayPath;

  beforeEach(() => {
    clock = new ManualClock('2026-01-01T00:00:00Z');
    services = new FakeServices();
    sessions = new InMemorySessionStore();
    playPath = new PlayPath(
      {
        profiles: services,
        titles: services,
        entitlements: services,
        encodingLadders: services,
        steering: services,
        subtitles: services,
        sessions,
      },
      { clock, sessionTtlMs: TTL_MS, cdnSecret: CDN_SECRET },
    );
  });

  const live = async (accountId: string) => (await sessions.liveSessions(accountId, clock.now())).length;

  describe('a grant', () => {
    it('opens a session one TTL long, with a license bound to it, asking each service once', async () => {
      const grant = await playPath.authorize('acct-0001', play('acct-0001-p1'));
      expect(grant.sessionId).toMatch(/^ps-/);
      expect(grant.expiresAt).toEqual(new Date(clock.now().getTime() + TTL_MS));
      expect(grant.licenseToken).toBe(
        licenseToken(CDN_SECRET, grant.sessionId, 'tt00001', 'tv-living-room', grant.expiresAt),
      );
      expect(grant.degradedFeatures).toEqual([]);
      expect(services.asked).toEqual({ profile: 1, title: 1, entitlement: 1, ladder: 1, candidates: 1, tracks: 1 });
      expect(await sessions.liveSessions('acct-0001', clock.now())).toEqual([
        {
          sessionId: grant.sessionId,
          accountId: 'acct-0001',
          profileId: 'acct-0001-p1',
          titleId: 'tt00001',
          deviceId: 'tv-living-room',
          expiresAt: grant.expiresAt,
        },
      ]);
    });

    it('passes steering’s ranked URLs and the title’s subtitle tracks through', async () => {
      const grant = await playPath.authorize('acct-0001', play('acct-0001-p1'));
      expect(grant.cdnUrls).toEqual(services.steered);
      expect(grant.subtitleTracks).toEqual(TRACKS);
    });

    it('streams the whole ladder to a premium plan on a 4K HDR device, ascending bitrate', async () => {
      const grant = await playPath.authorize('acct-0001', play('acct-0001-p1'));
      expect(grant.renditions.map((rendition) => rendition.bitrateKbps)).toEqual([235, 3000, 5800, 16000, 16800]);
    });

    it('cuts the ladder to the plan and to the device', async () => {
      const standard = services.accountOn('standard', 'acct-0020');
      const byPlan = await playPath.authorize(standard, play(`${standard}-p1`));
      expect(byPlan.renditions.map((rendition) => rendition.height)).toEqual([240, 720, 1080]);
      expect(byPlan.renditions.some((rendition) => rendition.hdr)).toBe(false);

      const byDevice = await playPath.authorize('acct-0001', play('acct-0001-p1', 'tt00001', { device: PHONE }));
      expect(byDevice.renditions).toEqual([
        { codec: 'h264', width: 320, height: 240, bitrateKbps: 235, hdr: false },
        { codec: 'h264', width: 1280, height: 720, bitrateKbps: 3000, hdr: false },
      ]);
    });
  });

  describe('refusals', () => {
    it('PERMISSION_DENIED for another account’s profile, reported before anything about the title', async () => {
      const foreign = playPath.authorize('acct-0002', play('acct-0001-p1'));
      await expect(foreign).rejects.toThrow(PermissionDeniedError);
      await expect(foreign).rejects.toThrow('profile "acct-0001-p1" belongs to another account');
      // An unknown title and an unpaid account too: the profile's owner is what the caller hears about.
      await expect(playPath.authorize('acct-0002', play('acct-0001-p1', 'tt99999'))).rejects.toThrow(
        'profile "acct-0001-p1" belongs to another account',
      );
    });

    it('reports a refusal without waiting for the optional answers', async () => {
      let answerSteering!: (urls: CdnUrl[]) => void;
      services.candidates = () => new Promise((resolve) => (answerSteering = resolve));
      await expect(playPath.authorize('acct-0002', play('acct-0001-p1'))).rejects.toThrow(PermissionDeniedError);
      answerSteering(services.steered);
    });

    it('PERMISSION_DENIED for a title above the profile’s maturity level; the kids title plays', async () => {
      const mature = playPath.authorize('acct-0001', play('acct-0001-p5', 'tt00003'));
      await expect(mature).rejects.toThrow(PermissionDeniedError);
      await expect(mature).rejects.toThrow(/tt00003.*18\+.*acct-0001-p5.*7/);
      await playPath.authorize('acct-0001', play('acct-0001-p5', 'tt00002'));
    });

    it('FAILED_PRECONDITION for a canceled subscription, a title not available in the country, no fitting rendition', async () => {
      const canceled = services.accountOn('canceled', 'acct-0004');
      const unpaid = playPath.authorize(canceled, play(`${canceled}-p1`, 'tt00002'));
      await expect(unpaid).rejects.toThrow(FailedPreconditionError);
      await expect(unpaid).rejects.toThrow('account acct-0004 has no active subscription');

      const elsewhere = playPath.authorize('acct-0001', play('acct-0001-p1', 'tt00004'));
      await expect(elsewhere).rejects.toThrow(FailedPreconditionError);
      await expect(elsewhere).rejects.toThrow('title "tt00004" is not available in US');

      const av1Only = { ...PHONE, codecs: ['av1'] };
      const nothingFits = playPath.authorize('acct-0001', play('acct-0001-p1', 'tt00001', { device: av1Only }));
      await expect(nothingFits).rejects.toThrow(FailedPreconditionError);
      await expect(nothingFits).rejects.toThrow(/no rendition of this title fits the premium plan/);
      expect(await live('acct-0001')).toBe(0);
    });

    it.each([
      ['an unknown profile', play('acct-0001-p9'), 'profile "acct-0001-p9" not found'],
      ['an unknown title', play('acct-0001-p1', 'tt99999'), 'title "tt99999" not found'],
    ])('NOT_FOUND for %s', async (_, request, message) => {
      const refused = playPath.authorize('acct-0001', request);
      await expect(refused).rejects.toThrow(NotFoundError);
      await expect(refused).rejects.toThrow(message);
    });

    it.each([
      ['premium', 4],
      ['standard', 2],
      ['basic', 1],
    ] as const)(
      'RESOURCE_EXHAUSTED past the %s limit of %d streams; a stopped session frees its slot',
      async (plan, limit) => {
        const accountId = services.accountOn(plan, `acct-${plan}`);
        const granted = [];
        for (let stream = 0; stream < limit; stream++) {
          granted.push(await playPath.authorize(accountId, play(`${accountId}-p1`)));
        }
        const refused = playPath.authorize(accountId, play(`${accountId}-p1`));
        await expect(refused).rejects.toThrow(ResourceExhaustedError);
        await expect(refused).rejects.toThrow(`${limit} of ${limit}`);
        expect(await live(accountId)).toBe(limit);

        await playPath.stop(accountId, granted[0]!.sessionId);
        const again = await playPath.authorize(accountId, play(`${accountId}-p1`));
        expect(again.sessionId).not.toBe(granted[0]!.sessionId);
        expect(await live(accountId)).toBe(limit);
      },
    );

    it('a refused play holds no slot', async () => {
      const basic = services.accountOn('basic', 'acct-0030');
      await expect(playPath.authorize(basic, play(`${basic}-p1`, 'tt00004'))).rejects.toThrow(FailedPreconditionError);
      expect(await live(basic)).toBe(0);
      await playPath.authorize(basic, play(`${basic}-p1`, 'tt00002'));
      expect(await live(basic)).toBe(1);
    });
  });

  describe('dependencies that cannot answer', () => {
    it.each(['profiles', 'billing', 'catalog'] as const)(
      '%s unreachable: the play fails closed with UNAVAILABLE naming it, and opens no session',
      async (dependency) => {
        services.unreachable.add(dependency);
        const refused = playPath.authorize('acct-0001', play('acct-0001-p1'));
        await expect(refused).rejects.toThrow(UnavailableError);
        await expect(refused).rejects.toThrow(`${dependency} is unavailable`);
        expect(await live('acct-0001')).toBe(0);
      },
    );

    it('steering unreachable: the origin URL only, signed, and the grant says so', async () => {
      services.unreachable.add('steering');
      const grant = await playPath.authorize('acct-0001', play('acct-0001-p1'));
      expect(grant.degradedFeatures).toEqual(['steering']);
      expect(grant.cdnUrls).toHaveLength(1);
      expect(grant.cdnUrls[0]).toMatchObject({ applianceId: ORIGIN_APPLIANCE_ID, rank: 1 });
      expect(grant.cdnUrls[0]!.expiresAt).toEqual(new Date(clock.now().getTime() + 3_600_000));
      expect(grant.cdnUrls[0]!.url).toContain('tt00001');
      expect(verifyCdnUrl(grant.cdnUrls[0]!.url, CDN_SECRET, clock.now())).toBe(true);
      expect(grant.subtitleTracks).toEqual(TRACKS);
    });

    it('steering knowing no appliance that stocks the title: the origin URL, and nothing degraded', async () => {
      services.candidates = async () => [];
      const grant = await playPath.authorize('acct-0001', play('acct-0001-p1'));
      expect(grant.degradedFeatures).toEqual([]);
      expect(grant.cdnUrls).toHaveLength(1);
      expect(grant.cdnUrls[0]).toMatchObject({ applianceId: ORIGIN_APPLIANCE_ID, rank: 1 });
    });

    it('subtitles unreachable: no tracks, and the grant says so', async () => {
      services.unreachable.add('subtitles');
      const grant = await playPath.authorize('acct-0001', play('acct-0001-p1'));
      expect(grant.subtitleTracks).toEqual([]);
      expect(grant.degradedFeatures).toEqual(['subtitles']);
      expect(grant.cdnUrls).toEqual(services.steered);
    });

    it('both optional parts unreachable: still a grant, both named, by the names their policies declare', async () => {
      services.unreachable.add('steering').add('subtitles');
      const grant = await playPath.authorize('acct-0001', play('acct-0001-p1'));
      expect(grant.degradedFeatures).toEqual(['steering', 'subtitles']);
      const declared = DEPENDENCIES.flatMap(({ policy }) =>
        policy.whenUnavailable.kind === 'degrade' ? [policy.whenUnavailable.feature] : [],
      );
      expect(grant.degradedFeatures).toEqual(declared.sort());
    });
  });

  describe('sessions', () => {
    it('heartbeats move the expiry one TTL on; stop ends the session; another account can do neither', async () => {
      const grant = await playPath.authorize('acct-0001', play('acct-0001-p1'));
      clock.advance(20_000);
      const beat = await playPath.heartbeat('acct-0001', grant.sessionId);
      expect(beat).toEqual({ sessionId: grant.sessionId, expiresAt: new Date(clock.now().getTime() + TTL_MS) });

      await expect(playPath.heartbeat('acct-0002', grant.sessionId)).rejects.toThrow(PermissionDeniedError);
      await expect(playPath.stop('acct-0002', grant.sessionId)).rejects.toThrow(PermissionDeniedError);

      await playPath.stop('acct-0001', grant.sessionId);
      expect(await live('acct-0001')).toBe(0);
      for (const again of [
        playPath.heartbeat('acct-0001', grant.sessionId),
        playPath.stop('acct-0001', grant.sessionId),
      ]) {
        await expect(again).rejects.toThrow(NotFoundError);
        await expect(again).rejects.toThrow(grant.sessionId);
      }
    });

    it('a session that stops heartbeating expires one TTL after its last heartbeat and frees its slot', async () => {
      const basic = services.accountOn('basic', 'acct-0040');
      const first = await playPath.authorize(basic, play(`${basic}-p1`));
      let refusals = 0;
      // Heartbeats keep the only slot taken, each from just before the previous expiry.
      for (let heartbeat = 0; heartbeat < 3; heartbeat++) {
        clock.advance(TTL_MS - 1);
        await playPath.heartbeat(basic, first.sessionId);
        const refused = playPath.authorize(basic, play(`${basic}-p1`));
        await expect(refused).rejects.toThrow(ResourceExhaustedError);
        await expect(refused).rejects.toThrow('1 of 1');
        refusals++;
      }
      expect(refusals).toBe(3);

      // Nothing heartbeats now: one millisecond short of the TTL the slot is still taken, at the TTL it is free.
      clock.advance(TTL_MS - 1);
      await expect(playPath.authorize(basic, play(`${basic}-p1`))).rejects.toThrow(ResourceExhaustedError);
      clock.advance(1);
      const gone = playPath.heartbeat(basic, first.sessionId);
      await expect(gone).rejects.toThrow(NotFoundError);
      await expect(gone).rejects.toThrow(first.sessionId);
      await expect(playPath.stop(basic, first.sessionId)).rejects.toThrow(NotFoundError);
      const granted = await playPath.authorize(basic, play(`${basic}-p1`));
      expect(granted.sessionId).not.toBe(first.sessionId);
      expect(await live(basic)).toBe(1);
    });
  });
});
