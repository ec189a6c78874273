import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthenticatedError } from '@streamplane/platform/errors';

/**
 * Account tokens: HS256 JSON Web Tokens whose `sub` is the account id (RFC 7519), signed with
 * STREAMPLANE_AUTH_SECRET. Small enough to implement exactly here rather than pull in a JWT library:
 * only HS256 is accepted (never "none", never another algorithm); every part must be unpadded base64url
 * and the signature exactly the canonical encoding of the HMAC, compared in constant time; `exp` is
 * required, and `exp`, `iat` and `nbf` must be numbers when present.
 */

const HEADER = { alg: 'HS256', typ: 'JWT' };

/**
 * How far ahead of this server's clock a token's `iat` may be: the issuer's clock and ours may disagree
 * by a few seconds, but a token issued further in the future was not issued by a well-behaved issuer.
 */
export const ISSUED_AT_CLOCK_SKEW_SECONDS = 30;

/** Unpadded base64url (RFC 7515 §2): no '=', '+' or '/', nothing else. */
const UNPADDED_BASE64URL = /^[A-Za-z0-9_-]+$/;

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

function signature(signingInput: string, secret: string): string {
  return base64url(createHmac('sha256', secret).update(signingInput).digest());
}

export function signAccountToken(
  accountId: string,
  secret: string,
  options: { now?: Date; expiresInSeconds?: number } = {},
): string {
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const payload = { sub: accountId, iat: issuedAt, exp: issuedAt + (options.expiresInSeconds ?? 24 * 3600) };
  const signingInput = `${base64url(JSON.stringify(HEADER))}.${base64url(JSON.stringify(payload))}`;
  return `${signingInput}.${signature(signingInput, secret)}`;
}

/** The account id a token was issued for; UnauthenticatedError saying why otherwise. */
export function verifyAccountToken(token: string, secret: string, now: Date): string {
  return checkedAt(signedClaims(token, secret), now);
}

/** What a token's signature vouches for: its subject and its time claims (seconds since the epoch). */
interface SignedClaims {
  readonly sub: string;
  readonly exp: number;
  readonly iat?: number;
  readonly nbf?: number;
}

/** The claims of a well-formed token with a valid signature; everything but the time of use checked. */
function signedClaims(token: string, secret: string): SignedClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new UnauthenticatedError('the token is not a JWT');
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  if (!UNPADDED_BASE64URL.test(encodedHeader) || !UNPADDED_BASE64URL.test(encodedPayload)) {
    throw new UnauthenticatedError('the token is not a JWT: its header and payload must be unpadded base64url');
  }
  const header = decodeJson(encodedHeader);
  if (header?.alg !== 'HS256') throw new UnauthenticatedError('the token must be signed with HS256');
  // Comparing encodings rather than decoded bytes refuses every other spelling of the same bytes
  // (padding, standard base64, trailing characters Buffer's lenient decoder would drop).
  if (!constantTimeEqual(encodedSignature, signature(`${encodedHeader}.${encodedPayload}`, secret))) {
    throw new UnauthenticatedError('the token signature is not valid');
  }
  const payload = decodeJson(encodedPayload);
  if (typeof payload?.sub !== 'string' || payload.sub === '')
    throw new UnauthenticatedError('the token has no subject');
  const exp = numericClaim(payload, 'exp');
  const iat = numericClaim(payload, 'iat');
  const nbf = numericClaim(payload, 'nbf');
  if (exp === undefined) throw new UnauthenticatedError('the token has no expiry ("exp")');
  return { sub: payload.sub, exp, iat, nbf };
}

/** The subject, when the token may be used at `now`. */
function checkedAt({ sub, exp, iat, nbf }: SignedClaims, now: Date): string {
  const seconds = now.getTime() / 1000;
  if (seconds >= exp) throw new UnauthenticatedError('the token has expired');
  if (iat !== undefined && iat > seconds + ISSUED_AT_CLOCK_SKEW_SECONDS)
    throw new UnauthenticatedError('the token was issued in the future ("iat")');
  if (nbf !== undefined && seconds < nbf) throw new UnauthenticatedError('the token is not valid yet');
  return sub;
}

/**
 * Verifies account tokens for one secret, remembering the ones whose signature it has checked: a viewer's
 * app sends the same token with every call of its session, and the HMAC and the two JSON decodes were the
 * play path's largest share of its own work. A remembered token still has its time claims checked at
 * every use, so it expires as it would. Bounded: beyond `capacity` tokens, the longest remembered goes.
 * Only tokens that verified are remembered, so garbage cannot push the good ones out faster than
 * signed tokens can.
 */
export class AccountTokenVerifier {
  private readonly signed = new Map<string, SignedClaims>();

  constructor(
    private readonly secret: string,
    private readonly capacity = 10_000,
  ) {}

  /** How many verified tokens it remembers. */
  get remembered(): number {
    return this.signed.size;
  }

  /** The account id a token was issued for; UnauthenticatedError saying why otherwise. */
  verify(token: string, now: Date): string {
    let claims = this.signed.get(token);
    if (!claims) {
      claims = signedClaims(token, this.secret);
      if (this.signed.size >= this.capacity) this.signed.delete(this.signed.keys().next().value!);
      this.signed.set(token, claims);
    }
    return checkedAt(claims, now);
  }

  /** The account of an `authorization: Bearer <token>` header value. */
  fromAuthorization(header: string | undefined, now: Date): string {
    return this.verify(bearerToken(header), now);
  }
}

/** The account of an `authorization: Bearer <token>` header value. */
export function accountFromAuthorization(header: string | undefined, secret: string, now: Date): string {
  return verifyAccountToken(bearerToken(header), secret, now);
}

/** The token of an `authorization: Bearer <token>` header value. */
function bearerToken(header: string | undefined): string {
  if (!header) throw new UnauthenticatedError('missing authorization metadata: send "authorization: Bearer <token>"');
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) throw new UnauthenticatedError('authorization metadata must be "Bearer <token>"');
  return match[1]!;
}

/**
 * A NumericDate claim (RFC 7519 §2), or undefined when the token does not carry it. Anything else is
 * refused rather than ignored: a claim that is silently skipped is a check that never happens.
 */
function numericClaim(payload: Record<string, unknown>, claim: 'exp' | 'iat' | 'nbf'): number | undefined {
  const value = payload[claim];
  if (value === undefined) return undefined;
  // JSON has no NaN, but 1e400 parses as Infinity: a token that would never expire.
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const got = value === null ? 'null' : typeof value;
  throw new UnauthenticatedError(`the token's "${claim}" must be a number of seconds since the epoch (got ${got})`);
}

function constantTimeEqual(actual: string, expected: string): boolean {
  const actualBytes = Buffer.from(actual);
  const expectedBytes = Buffer.from(expected);
  return actualBytes.length === expectedBytes.length && timingSafeEqual(actualBytes, expectedBytes);
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
