import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import {
  boundedList,
  InvalidArgumentError,
  requireCountry,
  requireId,
  requireText,
  optionalIpAddress,
  toTimestamp,
} from '@streamplane/platform';
import type {
  AuthorizePlaybackRequest,
  HeartbeatRequest,
  HeartbeatResponse__Input,
  PlaybackGrant__Input,
  StopPlaybackRequest,
  StopPlaybackResponse__Input,
} from '@streamplane/contracts/playback/v1';
import { PlayPath, type PlaybackGrant, type PlayRequest } from './play-path';

const MAX_DEVICE_ID_LENGTH = 128;
const MAX_SESSION_ID_LENGTH = 128;
const MAX_CODECS = 16;
const CODEC_NAME = /^[a-z0-9][a-z0-9._-]{0,31}$/;
/** Taller than any display sold; a larger value is a client bug, not a device. */
const MAX_DEVICE_HEIGHT = 8640;

/**
 * streamplane.playback.v1.PlaybackAuthorizationService. Every RPC authenticates first (so an anonymous
 * caller learns nothing about the request), then validates, then hands over to the play path.
 */
@Controller()
export class PlaybackController {
  constructor(private readonly playPath: PlayPath) {}

  @GrpcMethod('PlaybackAuthorizationService', 'AuthorizePlayback')
  async authorizePlayback(request: AuthorizePlaybackRequest): Promise<PlaybackGrant__Input> {
    const accountId = this.playPath.accountOfCaller();
    return toGrantMessage(await this.playPath.authorize(accountId, toPlayRequest(request)));
  }

  @GrpcMethod('PlaybackAuthorizationService', 'Heartbeat')
  async heartbeat(request: HeartbeatRequest): Promise<HeartbeatResponse__Input> {
    const accountId = this.playPath.accountOfCaller();
    const sessionId = requireText(request.playback_session_id, 'playback_session_id', MAX_SESSION_ID_LENGTH);
    const session = await this.playPath.heartbeat(accountId, sessionId);
    return { playback_session_id: session.sessionId, expires_at: toTimestamp(session.expiresAt) };
  }

  @GrpcMethod('PlaybackAuthorizationService', 'StopPlayback')
  async stopPlayback(request: StopPlaybackRequest): Promise<StopPlaybackResponse__Input> {
    const accountId = this.playPath.accountOfCaller();
    await this.playPath.stop(
      accountId,
      requireText(request.playback_session_id, 'playback_session_id', MAX_SESSION_ID_LENGTH),
    );
    return {};
  }
}

function toPlayRequest(request: AuthorizePlaybackRequest): PlayRequest {
  const profileId = requireId(request.profile_id, 'profile_id');
  const titleId = requireId(request.title_id, 'title_id');
  if (!request.device) throw new InvalidArgumentError('device', 'is required');
  if (!request.client) throw new InvalidArgumentError('client', 'is required (at least client.country)');
  const { device, client } = request;
  const deviceId = requireText(device.device_id, 'device.device_id', MAX_DEVICE_ID_LENGTH);
  if (!Number.isInteger(device.max_height) || device.max_height < 0 || device.max_height > MAX_DEVICE_HEIGHT) {
    throw new InvalidArgumentError('device.max_height', `must be between 0 (no limit) and ${MAX_DEVICE_HEIGHT}`);
  }
  const codecs = boundedList(device.codecs, 'device.codecs', { max: MAX_CODECS }, (value, field) => {
    const codec = requireText(value, field, 32).toLowerCase();
    if (!CODEC_NAME.test(codec)) throw new InvalidArgumentError(field, `is not a codec name (got "${codec}")`);
    return codec;
  });
  const country = requireCountry(client.country, 'client.country');
  const ip = optionalIpAddress(client.ip, 'client.ip');
  return {
    profileId,
    titleId,
    device: { deviceId, maxHeight: device.max_height, supportsHdr: device.supports_hdr, codecs },
    client: { ip, country, asn: client.asn },
  };
}

function toGrantMessage(grant: PlaybackGrant): PlaybackGrant__Input {
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
