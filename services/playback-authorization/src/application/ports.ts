import type { SubtitleTrack } from '@streamplane/contracts/subtitles/v1';
import type {
  CdnUrl,
  PlanAllowance,
  PlaybackSession,
  ProfileFacts,
  Rendition,
  SubscriptionFacts,
  TitleFacts,
} from '../domain';

/*
 * What the play path asks of other services and of the session store. Profiles, billing and catalog fail
 * closed: their ports answer or throw (UnavailableError naming the service when it cannot answer).
 * Steering and subtitles degrade: their ports answer undefined when the service cannot answer, and the
 * play path names the feature it went without.
 */

/** profiles: the profile that is to watch (NOT_FOUND for an unknown one). */
export interface Profiles {
  profile(profileId: string): Promise<ProfileFacts>;
}

/** catalog: the title to watch (NOT_FOUND for an unknown one). */
export interface Titles {
  title(titleId: string): Promise<TitleFacts>;
}

/** catalog: every rendition the title is encoded in. */
export interface EncodingLadders {
  ladder(titleId: string): Promise<Rendition[]>;
}

/** What billing says of an account: its subscription and what its plan pays for. */
export type Entitlement = SubscriptionFacts & PlanAllowance;

/** billing: the account's entitlement. */
export interface Entitlements {
  entitlement(accountId: string): Promise<Entitlement>;
}

/** Where the client is on the network, as steering ranks appliances by it. */
export interface ClientPosition {
  ip: string;
  country: string;
  asn: number;
}

/** steering: signed URLs of the appliances best placed to serve the client, best first; undefined when steering cannot answer. */
export interface CdnSteering {
  candidates(titleId: string, client: ClientPosition): Promise<CdnUrl[] | undefined>;
}

/**
 * A subtitle track as the subtitles service lists it. The grant carries subtitles' own message
 * (playback.proto reuses streamplane.subtitles.v1.SubtitleTrack), so tracks pass through unchanged.
 */
export type { SubtitleTrack };

/** subtitles: every track of the title, without content; undefined when subtitles cannot answer. */
export interface SubtitleTracks {
  tracks(titleId: string): Promise<SubtitleTrack[] | undefined>;
}

/**
 * Where sessions live. The stream-limit check and the insert are one operation, so two requests racing
 * for an account's last slot can never both win (a Redis store does it in one Lua script). A session is
 * live while `expiresAt > now`, `now` being the caller's clock.
 */
export interface SessionStore {
  /** Opens `session` unless the account already has `maxStreams` live sessions (ResourceExhaustedError). */
  openWithinLimit(session: PlaybackSession, maxStreams: number, now: Date): Promise<void>;
  /** Moves a live session's expiry to `expiresAt`. NotFoundError / PermissionDeniedError. */
  extend(sessionId: string, accountId: string, expiresAt: Date, now: Date): Promise<PlaybackSession>;
  /** Ends a live session. NotFoundError / PermissionDeniedError. */
  close(sessionId: string, accountId: string, now: Date): Promise<void>;
  /** Live sessions of an account (for tests and operators). */
  liveSessions(accountId: string, now: Date): Promise<PlaybackSession[]>;
}
