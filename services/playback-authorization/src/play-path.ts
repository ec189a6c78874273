import type { ClientOf, ResponseOf, ServiceDefinitions } from '@streamplane/contracts';
import { Inject, Injectable } from '@nestjs/common';
import {
  fromTimestamp,
  requestMetadata,
  SERVICE_CONFIG,
  ServiceClients,
  isTargetUnreachable,
  UnavailableError,
} from '@streamplane/platform';
import { ORIGIN_APPLIANCE_ID, signCdnUrl } from '@streamplane/streaming';
import type { PlaybackConfig } from './config';
import {
  accountFromAuthorization,
  checkOwnership,
  checkPlayback,
  licenseToken,
  newSessionId,
  selectRenditions,
  type DeviceCapabilities,
  type Rendition,
  type SessionStore,
} from './domain';

export const SESSION_STORE = Symbol('SessionStore');

/** Steering's signed URLs live an hour; the origin fallback gets the same. */
const CDN_URL_LIFETIME_MS = 3_600_000;
/** Subtitle tracks listed in a grant: every track of a title fits in one page of this size. */
const SUBTITLE_PAGE_SIZE = 200;

export interface PlayRequest {
  profileId: string;
  titleId: string;
  device: DeviceCapabilities & { deviceId: string };
  client: { ip: string; country: string; asn: number };
}

export interface CdnUrl {
  url: string;
  applianceId: string;
  rank: number;
  expiresAt: Date;
}

export type SubtitleTrack = ResponseOf<'subtitles', 'ListTracks'>['tracks'][number];

export interface PlaybackGrant {
  sessionId: string;
  licenseToken: string;
  expiresAt: Date;
  renditions: Rendition[];
  cdnUrls: CdnUrl[];
  subtitleTracks: SubtitleTrack[];
  degradedFeatures: string[];
}

/**
 * The play path. Everything AuthorizePlayback needs is asked of the other services at once, then the
 * answers are judged in the order a viewer would want problems reported. Profiles, billing and catalog
 * fail closed (UNAVAILABLE); steering and subtitles degrade (origin URL only, no tracks) and say so in
 * degraded_features.
 */
@Injectable()
export class PlayPath {
  private readonly profiles: ClientOf<'profiles'>;
  private readonly billing: ClientOf<'billing'>;
  private readonly catalog: ClientOf<'catalog'>;
  private readonly steering: ClientOf<'steering'>;
  private readonly subtitles: ClientOf<'subtitles'>;
  private readonly sessionTtlMs: number;

  constructor(
    clients: ServiceClients<ServiceDefinitions>,
    @Inject(SERVICE_CONFIG) private readonly config: PlaybackConfig,
    @Inject(SESSION_STORE) private readonly sessions: SessionStore,
  ) {
    this.profiles = clients.get('profiles');
    this.billing = clients.get('billing');
    this.catalog = clients.get('catalog');
    this.steering = clients.get('steering');
    this.subtitles = clients.get('subtitles');
    this.sessionTtlMs = config.PLAYBACK_SESSION_TTL_SECONDS * 1000;
  }

  /** The account of the caller's bearer token (UNAUTHENTICATED otherwise). */
  accountOfCaller(now = new Date()): string {
    return accountFromAuthorization(requestMetadata('authorization'), this.config.STREAMPLANE_AUTH_SECRET, now);
  }

  async authorize(accountId: string, request: PlayRequest): Promise<PlaybackGrant> {
    const degraded = new Set<string>();
    const { profileId, titleId } = request;
    // One round trip of latency: the optional answers are asked for alongside the required ones.
    const profile = this.required('profiles', this.profiles.call('GetProfile', { profile_id: profileId }));
    const title = this.required('catalog', this.catalog.call('GetTitle', { title_id: titleId }));
    const entitlement = this.required('billing', this.billing.call('GetEntitlement', { account_id: accountId }));
    const ladder = this.required('catalog', this.catalog.call('GetEncodingLadder', { title_id: titleId }));
    const candidates = this.optional(
      'steering',
      degraded,
      this.steering.call('SteerPlayback', { title_id: titleId, client: request.client }),
    );
    const tracks = this.optional(
      'subtitles',
      degraded,
      this.subtitles.call('ListTracks', { title_id: titleId, page_size: SUBTITLE_PAGE_SIZE }),
    );
    const answers = [profile, title, entitlement, ladder];
    // Every answer is awaited (never left rejecting unobserved) before the first problem is reported.
    await Promise.allSettled(answers);

    const profileAnswer = await profile;
    checkOwnership(accountId, profileAnswer.profile_id, profileAnswer.account_id);
    const titleAnswer = await title;
    const entitlementAnswer = await entitlement;
    checkPlayback({
      accountId,
      country: request.client.country,
      profile: {
        profileId: profileAnswer.profile_id,
        accountId: profileAnswer.account_id,
        maturityLevel: profileAnswer.maturity_level,
      },
      title: {
        titleId: titleAnswer.title_id,
        maturityLevel: titleAnswer.maturity_level,
        availableCountries: titleAnswer.available_countries,
      },
      entitlement: {
        active: entitlementAnswer.active,
        planId: entitlementAnswer.plan_id,
        maxStreams: entitlementAnswer.max_streams,
      },
    });
    const renditions = selectRenditions(
      (await ladder).renditions.map((rendition) => ({
        codec: rendition.codec,
        width: rendition.width,
        height: rendition.height,
        bitrateKbps: rendition.bitrate_kbps,
        hdr: rendition.hdr,
      })),
      {
        planId: entitlementAnswer.plan_id,
        maxResolutionHeight: entitlementAnswer.max_resolution_height,
        hdrAllowed: entitlementAnswer.hdr_allowed,
      },
      request.device,
    );

    const now = new Date();
    const sessionId = newSessionId();
    const expiresAt = new Date(now.getTime() + this.sessionTtlMs);
    await this.sessions.openWithinLimit(
      { sessionId, accountId, profileId, titleId, deviceId: request.device.deviceId, expiresAt },
      entitlementAnswer.max_streams,
      now,
    );
    const steered = await candidates;
    const cdnUrls = steered
      ? steered.candidates.map((candidate) => ({
          url: candidate.url,
          applianceId: candidate.appliance_id,
          rank: candidate.rank,
          expiresAt: fromTimestamp(candidate.expires_at),
        }))
      : [this.originUrl(titleId, now)];
    return {
      sessionId,
      licenseToken: licenseToken(
        this.config.STREAMPLANE_CDN_SECRET,
        sessionId,
        titleId,
        request.device.deviceId,
        expiresAt,
      ),
      expiresAt,
      renditions,
      cdnUrls,
      subtitleTracks: (await tracks)?.tracks ?? [],
      degradedFeatures: [...degraded].sort(),
    };
  }

  heartbeat(accountId: string, sessionId: string): Promise<{ sessionId: string; expiresAt: Date }> {
    const now = new Date();
    return this.sessions
      .extend(sessionId, accountId, new Date(now.getTime() + this.sessionTtlMs), now)
      .then((session) => ({ sessionId: session.sessionId, expiresAt: session.expiresAt }));
  }

  stop(accountId: string, sessionId: string): Promise<void> {
    return this.sessions.close(sessionId, accountId, new Date());
  }

  /** A required answer: a dependency that cannot answer makes the whole play UNAVAILABLE (fail closed). */
  private async required<T>(service: string, answer: Promise<T>): Promise<T> {
    try {
      return await answer;
    } catch (error) {
      if (isTargetUnreachable(error)) {
        throw new UnavailableError(`${service} is unavailable (${error.details}); playback fails closed`);
      }
      throw error;
    }
  }

  /** An optional answer: any failure yields undefined and names the feature as degraded. */
  private async optional<T>(feature: string, degraded: Set<string>, answer: Promise<T>): Promise<T | undefined> {
    try {
      return await answer;
    } catch {
      degraded.add(feature);
      return undefined;
    }
  }

  /** The origin holds every title: the one URL a player can use when steering cannot rank appliances. */
  private originUrl(titleId: string, now: Date): CdnUrl {
    const expiresAt = new Date(now.getTime() + CDN_URL_LIFETIME_MS);
    const url = signCdnUrl(this.config.STREAMPLANE_CDN_SECRET, ORIGIN_APPLIANCE_ID, titleId, expiresAt);
    return { url, applianceId: ORIGIN_APPLIANCE_ID, rank: 1, expiresAt };
  }
}
