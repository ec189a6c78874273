import type { Clock } from '@streamplane/platform/clock';
import {
  checkOwnership,
  checkTitleAndSubscription,
  licenseToken,
  newSessionId,
  originCdnUrl,
  selectRenditions,
  type CdnUrl,
  type DeviceCapabilities,
  type Rendition,
} from '../domain';
import { OPTIONAL_FEATURES } from './dependencies';
import type {
  CdnSteering,
  ClientPosition,
  EncodingLadders,
  Entitlements,
  Profiles,
  SessionStore,
  SubtitleTrack,
  SubtitleTracks,
  Titles,
} from './ports';

export interface PlayRequest {
  profileId: string;
  titleId: string;
  device: DeviceCapabilities & { deviceId: string };
  client: ClientPosition;
}

export interface PlaybackGrant {
  sessionId: string;
  licenseToken: string;
  expiresAt: Date;
  renditions: Rendition[];
  cdnUrls: CdnUrl[];
  subtitleTracks: SubtitleTrack[];
  degradedFeatures: string[];
}

export interface SessionExpiry {
  sessionId: string;
  expiresAt: Date;
}

/** Whom the play path asks. */
export interface PlayPathPorts {
  profiles: Profiles;
  titles: Titles;
  entitlements: Entitlements;
  encodingLadders: EncodingLadders;
  steering: CdnSteering;
  subtitles: SubtitleTracks;
  sessions: SessionStore;
}

export interface PlayPathOptions {
  clock: Clock;
  /** A session ends this long after its grant or last heartbeat. */
  sessionTtlMs: number;
  /** Key of signed CDN URLs and license tokens. */
  cdnSecret: string;
}

/**
 * The play path. Everything AuthorizePlayback needs is asked of the other services at once, then the
 * answers are judged in the order a viewer would want problems reported. Profiles, billing and catalog
 * fail closed (their ports throw UNAVAILABLE); steering and subtitles degrade (origin URL only, no tracks)
 * and say so in degraded_features.
 */
export class PlayPath {
  constructor(
    private readonly ports: PlayPathPorts,
    private readonly options: PlayPathOptions,
  ) {}

  async authorize(accountId: string, request: PlayRequest): Promise<PlaybackGrant> {
    const { profileId, titleId, device, client } = request;
    // One round trip of latency: the optional answers are asked for alongside the required ones.
    const profile = this.ports.profiles.profile(profileId);
    const title = this.ports.titles.title(titleId);
    const entitlement = this.ports.entitlements.entitlement(accountId);
    const ladder = this.ports.encodingLadders.ladder(titleId);
    const candidates = this.ports.steering.candidates(titleId, client);
    const tracks = this.ports.subtitles.tracks(titleId);
    // No answer is left rejecting unobserved. The required ones are all in before the first problem is
    // reported; a refusal does not wait for the optional ones.
    void Promise.allSettled([candidates, tracks]);
    await Promise.allSettled([profile, title, entitlement, ladder]);

    const profileFacts = await profile;
    checkOwnership(accountId, profileFacts);
    const titleFacts = await title;
    const entitled = await entitlement;
    checkTitleAndSubscription({
      accountId,
      country: client.country,
      profile: profileFacts,
      title: titleFacts,
      entitlement: entitled,
    });
    const renditions = selectRenditions(await ladder, entitled, device);
    // Read before the session opens: a grant that cannot be completed must not hold a stream slot.
    const steered = await candidates;
    const listedTracks = await tracks;

    const now = this.options.clock.now();
    const sessionId = newSessionId();
    const expiresAt = this.expiryFrom(now);
    await this.ports.sessions.openWithinLimit(
      { sessionId, accountId, profileId, titleId, deviceId: device.deviceId, expiresAt },
      entitled.maxStreams,
      now,
    );
    return {
      sessionId,
      licenseToken: licenseToken(this.options.cdnSecret, sessionId, titleId, device.deviceId, expiresAt),
      expiresAt,
      renditions,
      // No candidate (steering unreachable, or no appliance stocks the title): the origin holds every title.
      cdnUrls: steered?.length ? steered : [originCdnUrl(this.options.cdnSecret, titleId, now)],
      subtitleTracks: listedTracks ?? [],
      degradedFeatures: [
        ...(steered ? [] : [OPTIONAL_FEATURES.steering]),
        ...(listedTracks ? [] : [OPTIONAL_FEATURES.subtitles]),
      ].sort(),
    };
  }

  async heartbeat(accountId: string, sessionId: string): Promise<SessionExpiry> {
    const now = this.options.clock.now();
    const session = await this.ports.sessions.extend(sessionId, accountId, this.expiryFrom(now), now);
    return { sessionId: session.sessionId, expiresAt: session.expiresAt };
  }

  stop(accountId: string, sessionId: string): Promise<void> {
    return this.ports.sessions.close(sessionId, accountId, this.options.clock.now());
  }

  private expiryFrom(now: Date): Date {
    return new Date(now.getTime() + this.options.sessionTtlMs);
  }
}
