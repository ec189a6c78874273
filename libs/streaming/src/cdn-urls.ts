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

/** An appliance id is the first label of its host name: lowercase letters, digits and inner hyphens. */
const APPLIANCE_LABEL = '[a-z0-9](?:[a-z0-9-]*[a-z0-9])?';
const APPLIANCE_ID = new RegExp(`^${APPLIANCE_LABEL}$`);

/** Whether `id` can be an appliance's id (the first label of its host name). */
export function isApplianceId(id: string): boolean {
  return APPLIANCE_ID.test(id);
}

const APPLIANCE_HOST = new RegExp(`^(?<appliance>${APPLIANCE_LABEL})\\.${CDN_DOMAIN.replaceAll('.', '\\.')}$`);

/**
 * The appliance id a host name names (`oca-us-east-00042.oca.streamplane.example` → `oca-us-east-00042`),
 * as a Host header or HTTP/2 :authority carries it: case-insensitive, with or without the port dialled.
 * Undefined for a host that is no appliance's.
 */
export function applianceOfHost(host: string): string | undefined {
  const name = host
    .trim()
    .toLowerCase()
    .replace(/:\d{1,5}$/, '');
  return APPLIANCE_HOST.exec(name)?.groups?.appliance;
}

/**
 * The one spelling signCdnUrl produces, character for character. Verifying the raw string instead of
 * what the WHATWG URL parser makes of it means that nothing the parser would normalise (case, ports,
 * userinfo, backslashes, tabs, repeated or extra parameters) can make a second URL for one signature.
 */
const SIGNED_URL = new RegExp(
  `^https://(?<appliance>${APPLIANCE_LABEL})\\.${CDN_DOMAIN.replaceAll('.', '\\.')}` +
    `/titles/(?<title>[^/?#]+)\\?expires=(?<expires>0|[1-9][0-9]*)&sig=(?<sig>[0-9a-f]{64})$`,
);

export function signCdnUrl(secret: string, applianceId: string, titleId: string, expiresAt: Date): string {
  // A URL no appliance would accept is a bug in the caller, better found where it signs than where it plays.
  if (!isApplianceId(applianceId)) throw new Error(`"${applianceId}" cannot be an appliance's host name`);
  const expires = Math.floor(expiresAt.getTime() / 1000);
  const signature = cdnSignature(secret, applianceId, titleId, expires);
  return `https://${applianceId}.${CDN_DOMAIN}/titles/${encodeURIComponent(titleId)}?expires=${expires}&sig=${signature}`;
}

/**
 * True when `url` is exactly what signCdnUrl made with `secret` and has not expired at `now`; false for
 * anything else. Never throws: the URL comes from whoever sends the request.
 */
export function verifyCdnUrl(url: string, secret: string, now: Date): boolean {
  const parts = SIGNED_URL.exec(url)?.groups;
  if (!parts) return false;
  const { appliance, title, expires, sig } = parts as Record<'appliance' | 'title' | 'expires' | 'sig', string>;
  const titleId = decodedTitle(title);
  const expiresAtSeconds = Number(expires);
  if (titleId === undefined || !Number.isSafeInteger(expiresAtSeconds)) return false;
  if (expiresAtSeconds * 1000 <= now.getTime()) return false;
  const expected = Buffer.from(cdnSignature(secret, appliance, titleId, expiresAtSeconds), 'hex');
  return timingSafeEqual(Buffer.from(sig, 'hex'), expected);
}

/** The title id of a URL path segment spelled exactly as encodeURIComponent spells it, else undefined. */
function decodedTitle(segment: string): string | undefined {
  let titleId: string;
  try {
    titleId = decodeURIComponent(segment);
  } catch {
    return undefined; // URIError: a truncated or invalid percent-encoding
  }
  return encodeURIComponent(titleId) === segment ? titleId : undefined;
}

function cdnSignature(secret: string, applianceId: string, titleId: string, expires: number): string {
  return createHmac('sha256', secret).update(`${applianceId}|${titleId}|${expires}`).digest('hex');
}
