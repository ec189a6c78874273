import { ORIGIN_APPLIANCE_ID, signCdnUrl } from '@streamplane/streaming';

/** A ranked, signed, expiring URL a player may stream from. */
export interface CdnUrl {
  url: string;
  applianceId: string;
  rank: number;
  expiresAt: Date;
}

/** Steering's signed URLs live an hour; the origin fallback gets the same. */
const CDN_URL_LIFETIME_MS = 3_600_000;

/** The origin holds every title: the one URL a player can use when steering cannot rank appliances. */
export function originCdnUrl(secret: string, titleId: string, now: Date): CdnUrl {
  const expiresAt = new Date(now.getTime() + CDN_URL_LIFETIME_MS);
  const url = signCdnUrl(secret, ORIGIN_APPLIANCE_ID, titleId, expiresAt);
  return { url, applianceId: ORIGIN_APPLIANCE_ID, rank: 1, expiresAt };
}
