import { createHmac } from 'node:crypto';
import { FailedPreconditionError, PermissionDeniedError } from '@streamplane/platform/errors';

/** What the other services said, gathered by the controller. */
export interface PlaybackFacts {
  accountId: string;
  profile: { profileId: string; accountId: string; maturityLevel: number };
  entitlement: { active: boolean; planId: string; maxStreams: number };
  title: { titleId: string; maturityLevel: number; availableCountries: readonly string[] };
  country: string;
}

/** A token may only play on its own account's profiles; reported before anything about the title. */
export function checkOwnership(accountId: string, profileId: string, profileAccountId: string): void {
  if (profileAccountId !== accountId) {
    throw new PermissionDeniedError(`profile "${profileId}" belongs to another account`);
  }
}

/**
 * The play-path rules that need no I/O, in the order a viewer would want them reported: whose profile it
 * is, whether the title may be watched there and by that profile, whether the account is paid up.
 */
export function checkPlayback(facts: PlaybackFacts): void {
  checkOwnership(facts.accountId, facts.profile.profileId, facts.profile.accountId);
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
