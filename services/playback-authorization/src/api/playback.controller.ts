import { Controller, UseGuards } from '@nestjs/common';
import { GrpcMethod, Payload } from '@nestjs/microservices';
import type {
  HeartbeatResponse__Input,
  PlaybackGrant__Input,
  StopPlaybackResponse__Input,
} from '@streamplane/contracts/playback/v1';
import { PlayPath, type PlayRequest } from '../application/play-path';
import { AccountTokenGuard, CallerAccount } from './account-token.guard';
import { toGrantMessage, toHeartbeatMessage } from './playback.mappers';
import { validPlayRequest, validSessionId } from './playback.validation';

/**
 * streamplane.playback.v1.PlaybackAuthorizationService. Every RPC authenticates first (the guard, so an
 * anonymous caller learns nothing about the request), then validates (the payload pipes), then hands
 * over to the play path.
 */
@Controller()
@UseGuards(AccountTokenGuard)
export class PlaybackController {
  constructor(private readonly playPath: PlayPath) {}

  @GrpcMethod('PlaybackAuthorizationService', 'AuthorizePlayback')
  async authorizePlayback(
    @Payload(validPlayRequest) request: PlayRequest,
    @CallerAccount() accountId: string,
  ): Promise<PlaybackGrant__Input> {
    return toGrantMessage(await this.playPath.authorize(accountId, request));
  }

  @GrpcMethod('PlaybackAuthorizationService', 'Heartbeat')
  async heartbeat(
    @Payload(validSessionId) sessionId: string,
    @CallerAccount() accountId: string,
  ): Promise<HeartbeatResponse__Input> {
    return toHeartbeatMessage(await this.playPath.heartbeat(accountId, sessionId));
  }

  @GrpcMethod('PlaybackAuthorizationService', 'StopPlayback')
  async stopPlayback(
    @Payload(validSessionId) sessionId: string,
    @CallerAccount() accountId: string,
  ): Promise<StopPlaybackResponse__Input> {
    await this.playPath.stop(accountId, sessionId);
    return {};
  }
}
