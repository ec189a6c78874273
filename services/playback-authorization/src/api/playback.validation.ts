import type { PipeTransform } from '@nestjs/common';
import {
  boundedList,
  InvalidArgumentError,
  optionalIpAddress,
  requireCountry,
  requireId,
  requireText,
} from '@streamplane/platform';
import type {
  AuthorizePlaybackRequest,
  HeartbeatRequest,
  StopPlaybackRequest,
} from '@streamplane/contracts/playback/v1';
import type { PlayRequest } from '../application/play-path';

const MAX_DEVICE_ID_LENGTH = 128;
const MAX_SESSION_ID_LENGTH = 128;
const MAX_CODECS = 16;
const MAX_CODEC_NAME_LENGTH = 32;
const CODEC_NAME = /^[a-z0-9][a-z0-9._-]{0,31}$/;
/** Taller than any display sold; a larger value is a client bug, not a device. */
const MAX_DEVICE_HEIGHT = 8640;

/*
 * Request validation, as Nest pipes on the handlers' payloads: pipes run after guards, so a request is
 * validated only once its caller is authenticated. Errors name the field (INVALID_ARGUMENT).
 */

/** AuthorizePlayback's request, checked field by field, as the play path takes it. */
export const validPlayRequest: PipeTransform<AuthorizePlaybackRequest, PlayRequest> = {
  transform(request) {
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
      const codec = requireText(value, field, MAX_CODEC_NAME_LENGTH).toLowerCase();
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
  },
};

/** The playback_session_id of Heartbeat and StopPlayback. */
export const validSessionId: PipeTransform<HeartbeatRequest | StopPlaybackRequest, string> = {
  transform: (request) => requireText(request.playback_session_id, 'playback_session_id', MAX_SESSION_ID_LENGTH),
};
