import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthenticatedError } from '@streamplane/platform/errors';

/**
 * Account tokens: HS256 JSON Web Tokens whose `sub` is the account id (RFC 7519), signed with
 * STREAMPLANE_AUTH_SECRET. Small enough to implement exactly here rather than pull in a JWT library:
 * only HS256 is accepted (never "none", never another algorithm), signatures are compared in constant
 * time, and `exp`/`nbf` are honoured.
 */

const HEADER = { alg: 'HS256', typ: 'JWT' };

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

function sign(signingInput: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(signingInput).digest();
}

export function signAccountToken(
  accountId: string,
  secret: string,
  options: { now?: Date; expiresInSeconds?: number } = {},
): string {
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const payload = { sub: accountId, iat: issuedAt, exp: issuedAt + (options.expiresInSeconds ?? 24 * 3600) };
  const signingInput = `${base64url(JSON.stringify(HEADER))}.${base64url(JSON.stringify(payload))}`;
  return `${signingInput}.${base64url(sign(signingInput, secret))}`;
}

/** The account id a token was issued for; UnauthenticatedError saying why otherwise. */
export function verifyAccountToken(token: string, secret: string, now: Date): string {
  const parts = token.split('.');
  if (parts.length !== 3) throw new UnauthenticatedError('the token is not a JWT');
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const header = decodeJson(encodedHeader);
  if (header?.alg !== 'HS256') throw new UnauthenticatedError('the token must be signed with HS256');
  const expected = sign(`${encodedHeader}.${encodedPayload}`, secret);
  const actual = Buffer.from(encodedSignature, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new UnauthenticatedError('the token signature is not valid');
  }
  const payload = decodeJson(encodedPayload);
  const seconds = now.getTime() / 1000;
  if (typeof payload?.sub !== 'string' || payload.sub === '')
    throw new UnauthenticatedError('the token has no subject');
  if (typeof payload.exp === 'number' && seconds >= payload.exp)
    throw new UnauthenticatedError('the token has expired');
  if (typeof payload.nbf === 'number' && seconds < payload.nbf)
    throw new UnauthenticatedError('the token is not valid yet');
  return payload.sub;
}

/** The account of an `authorization: Bearer <token>` header value. */
export function accountFromAuthorization(header: string | undefined, secret: string, now: Date): string {
  if (!header) throw new UnauthenticatedError('missing authorization metadata: send "authorization: Bearer <token>"');
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) throw new UnauthenticatedError('authorization metadata must be "Bearer <token>"');
  return verifyAccountToken(match[1]!, secret, now);
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
