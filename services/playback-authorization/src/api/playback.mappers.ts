import { toTimestamp } from '@streamplane/platform';
import type { HeartbeatResponse__Input, PlaybackGrant__Input } from '@streamplane/contracts/playback/v1';
import type { PlaybackGrant, SessionExpiry } from '../application/play-path';

export function toGrantMessage(grant: PlaybackGrant): PlaybackGrant__Input {
  return {
    playback_session_id: grant.sessionId,
    license_token: grant.licenseToken,
    expires_at: toTimestamp(grant.expiresAt),
    renditions: grant.renditions.map((rendition) => ({
      codec: rendition.codec,
      width: rendition.width,
      height: rendition.height,
      bitrate_kbps: rendition.bitrateKbps,
      hdr: rendition.hdr,
    })),
    cdn_urls: grant.cdnUrls.map((cdnUrl) => ({
      url: cdnUrl.url,
      appliance_id: cdnUrl.applianceId,
      rank: cdnUrl.rank,
      expires_at: toTimestamp(cdnUrl.expiresAt),
    })),
    subtitle_tracks: grant.subtitleTracks,
    degraded_features: grant.degradedFeatures,
  };
}

export function toHeartbeatMessage(session: SessionExpiry): HeartbeatResponse__Input {
  return { playback_session_id: session.sessionId, expires_at: toTimestamp(session.expiresAt) };
}
