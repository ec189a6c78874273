import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, expiring CDN URLs, as an Open Connect appliance would check them: steering signs the URLs of the
 * appliances it ranks, playback-authorization signs the origin URL it falls back to, and both must agree
 * on the format, so it is defined once. The signature is HMAC-SHA256 over "<appliance>|<title>|<expires>"
 * with the CDN secret shared by the fleet.
 */
export const CDN_DOMAIN = 'oca.streamplane.example';

/** The origin's front door, which holds every title: where players go when steering cannot rank appliances. */
export const ORIGIN_APPLIANCE_ID = 'origin';

export function signCdnUrl(secret: string, applianceId: string, titleId: string, expiresAt: Date): string {
  const expires = Math.floor(expiresAt.getTime() / 1000);
  const signature = cdnSignature(secret, applianceId, titleId, expires);
  return `https://${applianceId}.${CDN_DOMAIN}/titles/${encodeURIComponent(titleId)}?expires=${expires}&sig=${signature}`;
}

/** True when `url` was signed with `secret` and has not expired at `now`. */
export function verifyCdnUrl(url: string, secret: string, now: Date): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const applianceId = parsed.hostname.endsWith(`.${CDN_DOMAIN}`)
    ? parsed.hostname.slice(0, -CDN_DOMAIN.length - 1)
    : '';
  const titleMatch = /^\/titles\/([^/]+)$/.exec(parsed.pathname);
  const expires = Number(parsed.searchParams.get('expires'));
  const signature = parsed.searchParams.get('sig') ?? '';
  if (!applianceId || !titleMatch || !Number.isInteger(expires) || expires * 1000 <= now.getTime()) return false;
  const expected = Buffer.from(cdnSignature(secret, applianceId, decodeURIComponent(titleMatch[1]!), expires), 'hex');
  const actual = Buffer.from(signature, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function cdnSignature(secret: string, applianceId: string, titleId: string, expires: number): string {
  return createHmac('sha256', secret).update(`${applianceId}|${titleId}|${expires}`).digest('hex');
}
