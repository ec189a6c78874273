import { createHmac } from 'node:crypto';
import { FailedPreconditionError, PermissionDeniedError } from '@streamplane/platform/errors';

/** The profile that is to watch, as profiles knows it. */
export interface ProfileFacts {
  profileId: string;
  accountId: string;
  maturityLevel: number;
}

/** The title to watch, as the catalog knows it. */
export interface TitleFacts {
  titleId: string;
  maturityLevel: number;
  availableCountries: readonly string[];
}

/** What billing says of the account: whether it may stream, and how many streams at once. */
export interface SubscriptionFacts {
  active: boolean;
  planId: string;
  maxStreams: number;
}

/** What the other services said, gathered by the play path. */
export interface PlaybackFacts {
  accountId: string;
  profile: ProfileFacts;
  entitlement: SubscriptionFacts;
  title: TitleFacts;
  country: string;
}

/** A token may only play on its own account's profiles; reported before anything about the title. */
export function checkOwnership(accountId: string, profile: ProfileFacts): void {
  if (profile.accountId !== accountId) {
    throw new PermissionDeniedError(`profile "${profile.profileId}" belongs to another account`);
  }
}

/**
 * The rules of a play once the profile is known to be the caller's, in the order a viewer would want them
 * reported: whether the title may be watched there and by that profile, whether the account is paid up.
 */
export function checkTitleAndSubscription(facts: PlaybackFacts): void {
  if (!facts.title.availableCountries.includes(facts.country)) {
    throw new FailedPreconditionError(`title "${facts.title.titleId}" is not available in ${facts.country}`);
  }
  if (facts.title.maturityLevel > facts.profile.maturityLevel) {
    throw new PermissionDeniedError(
      `title "${facts.title.titleId}" is rated ${facts.title.maturityLevel}+, above profile "${facts.profile.profileId}"'s maturity level ${facts.profile.maturityLevel}`,
    );
  }
  if (!facts.entitlement.active) {
    throw new FailedPreconditionError(`account ${facts.accountId} has no active subscription`);
  }
}

/**
 * Every play rule that needs no I/O, for facts gathered all at once: whose profile it is first, then the
 * title and the subscription. The play path runs the two parts apart (ownership before it reads the
 * title's answer), each once.
 */
export function checkPlayback(facts: PlaybackFacts): void {
  checkOwnership(facts.accountId, facts.profile);
  checkTitleAndSubscription(facts);
}

/** An opaque DRM license token bound to the session, title and device. */
export function licenseToken(
  secret: string,
  sessionId: string,
  titleId: string,
  deviceId: string,
  expiresAt: Date,
): string {
  const claims = `${sessionId}|${titleId}|${deviceId}|${Math.floor(expiresAt.getTime() / 1000)}`;
  const signature = createHmac('sha256', secret).update(claims).digest('base64url');
  return `${Buffer.from(claims).toString('base64url')}.${signature}`;
}
