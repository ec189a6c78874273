import { randomUUID } from 'node:crypto';
import { NotFoundError, PermissionDeniedError, ResourceExhaustedError } from '@streamplane/platform/errors';

/** A live playback session: it holds one of its account's stream slots until it is stopped or expires. */
export interface PlaybackSession {
  sessionId: string;
  accountId: string;
  profileId: string;
  titleId: string;
  deviceId: string;
  expiresAt: Date;
}

export function newSessionId(): string {
  return `ps-${randomUUID()}`;
}

/** The refusals every SessionStore gives, worded the same whichever store it is. */
export const sessionErrors = {
  streamLimitReached: (accountId: string, live: number, maxStreams: number) =>
    new ResourceExhaustedError(`account ${accountId} is already streaming on ${live} of ${maxStreams} allowed streams`),
  notFound: (sessionId: string) => new NotFoundError('playback session', sessionId),
  ofAnotherAccount: (sessionId: string) =>
    new PermissionDeniedError(`playback session "${sessionId}" belongs to another account`),
};
