import { createHmac } from 'node:crypto';
import { UnauthenticatedError } from '@streamplane/platform/errors';
import {
  AccountTokenVerifier,
  ISSUED_AT_CLOCK_SKEW_SECONDS,
  signAccountToken,
  verifyAccountToken,
} from '../src/account-token';

const SECRET = 'the-auth-secret-of-these-tests';
const NOW = new Date('2026-06-01T12:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A correctly signed HS256 token with exactly these claims: what a careless or hostile issuer could send. */
function tokenWithClaims(claims: Record<string, unknown>): string {
  const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${signingInput}.${createHmac('sha256', SECRET).update(signingInput).digest('base64url')}`;
}

/** Why the token is refused, the same whether verified alone or by a verifier (and again by it). */
function refusal(token: string, now = NOW): string {
  const verifier = new AccountTokenVerifier(SECRET);
  const reasons = [
    () => verifyAccountToken(token, SECRET, now),
    () => verifier.verify(token, now),
    () => verifier.verify(token, now),
  ].map((verify) => {
    try {
      verify();
    } catch (error) {
      expect(error).toBeInstanceOf(UnauthenticatedError);
      return (error as Error).message;
    }
    throw new Error('the token was accepted');
  });
  expect(new Set(reasons).size).toBe(1);
  return reasons[0]!;
}

describe('account token claims', () => {
  it('accepts a token that has not expired, and refuses it once it has', () => {
    const token = signAccountToken('acct-0001', SECRET, { now: NOW, expiresInSeconds: 60 });
    expect(verifyAccountToken(token, SECRET, new Date(NOW.getTime() + 59_000))).toBe('acct-0001');
    expect(refusal(token, new Date(NOW.getTime() + 60_000))).toBe('the token has expired');
  });

  it.each([
    ['is missing', {}, 'the token has no expiry ("exp")'],
    [
      'is a string',
      { exp: String(NOW_SECONDS + 60) },
      `the token's "exp" must be a number of seconds since the epoch (got string)`,
    ],
    ['is null', { exp: null }, `the token's "exp" must be a number of seconds since the epoch (got null)`],
  ])('refuses a token whose exp %s', (_case, exp, reason) => {
    expect(refusal(tokenWithClaims({ sub: 'acct-0001', iat: NOW_SECONDS, ...exp }))).toBe(reason);
  });

  it('refuses an exp too large to be a number (it would never expire)', () => {
    const signingInput = `${encode({ alg: 'HS256' })}.${Buffer.from('{"sub":"acct-0001","exp":1e400}').toString('base64url')}`;
    const token = `${signingInput}.${createHmac('sha256', SECRET).update(signingInput).digest('base64url')}`;
    expect(refusal(token)).toMatch(/"exp" must be a number/);
  });

  it('refuses an iat that is not a number', () => {
    const token = tokenWithClaims({ sub: 'acct-0001', iat: 'yesterday', exp: NOW_SECONDS + 60 });
    expect(refusal(token)).toBe(`the token's "iat" must be a number of seconds since the epoch (got string)`);
  });

  it('allows an iat slightly ahead of this clock, and refuses one further in the future', () => {
    const issuedAt = (secondsAhead: number) =>
      tokenWithClaims({ sub: 'acct-0001', iat: NOW_SECONDS + secondsAhead, exp: NOW_SECONDS + 3600 });
    expect(verifyAccountToken(issuedAt(ISSUED_AT_CLOCK_SKEW_SECONDS), SECRET, NOW)).toBe('acct-0001');
    expect(refusal(issuedAt(ISSUED_AT_CLOCK_SKEW_SECONDS + 1))).toBe('the token was issued in the future ("iat")');
  });

  it('accepts a token without iat', () => {
    expect(verifyAccountToken(tokenWithClaims({ sub: 'acct-0001', exp: NOW_SECONDS + 60 }), SECRET, NOW)).toBe(
      'acct-0001',
    );
  });
});

describe('account token encoding', () => {
  const token = signAccountToken('acct-0001', SECRET, { now: NOW });
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const standardBase64 = Buffer.from(signature, 'base64url').toString('base64');

  it('accepts the canonical token', () => {
    expect(verifyAccountToken(token, SECRET, NOW)).toBe('acct-0001');
  });

  // Buffer's lenient base64url decoder turns every one of these into the HMAC's very bytes.
  it.each([
    ['padded standard base64', standardBase64],
    ['padded base64url', `${signature}=`],
    ['unpadded standard base64', standardBase64.replace(/=+$/, '')],
    ['trailing junk', `${signature}=junk`],
    ['a trailing character that is not base64', `${signature}!`],
    ['another last character with the same leading bits', `${signature.slice(0, -1)}R`],
  ])('refuses a non-canonical signature: %s', (_case, spelledSignature) => {
    expect(spelledSignature).not.toBe(signature);
    expect(Buffer.from(spelledSignature, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    expect(refusal(`${header}.${payload}.${spelledSignature}`)).toBe('the token signature is not valid');
  });

  it.each([
    ['a padded header', `${header}=.${payload}`],
    ['a payload in standard base64', `${header}.${payload}+/`],
    ['an empty payload', `${header}.`],
  ])('refuses %s', (_case, signingInput) => {
    expect(refusal(`${signingInput}.${signature}`)).toMatch(/^the token is not a JWT: .*unpadded base64url$/);
  });

  it('refuses any algorithm but HS256', () => {
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    expect(refusal(unsigned)).toBe('the token must be signed with HS256');
    const otherAlgorithm = `${encode({ alg: 'HS512', typ: 'JWT' })}.${payload}.${signature}`;
    expect(refusal(otherAlgorithm)).toBe('the token must be signed with HS256');
  });
});

describe('a verifier of account tokens', () => {
  it('still checks the time of use of a token it remembers', () => {
    const verifier = new AccountTokenVerifier(SECRET);
    const token = signAccountToken('acct-0001', SECRET, { now: NOW, expiresInSeconds: 60 });
    expect(verifier.verify(token, NOW)).toBe('acct-0001');
    expect(verifier.verify(token, new Date(NOW.getTime() + 59_000))).toBe('acct-0001');
    expect(() => verifier.verify(token, new Date(NOW.getTime() + 60_000))).toThrow('the token has expired');
    const early = signAccountToken('acct-0002', SECRET, { now: new Date(NOW.getTime() + 120_000) });
    expect(() => verifier.verify(early, NOW)).toThrow('the token was issued in the future ("iat")');
    expect(verifier.verify(early, new Date(NOW.getTime() + 120_000))).toBe('acct-0002');
  });

  it('remembers only tokens that verified, and at most its capacity', () => {
    const verifier = new AccountTokenVerifier(SECRET, 3);
    const tokens = ['a', 'b', 'c', 'd', 'e'].map((suffix) =>
      signAccountToken(`acct-000${suffix}`, SECRET, { now: NOW }),
    );
    for (const token of tokens) verifier.verify(token, NOW);
    expect(verifier.remembered).toBe(3);
    expect(() => verifier.verify(`${tokens[0]}x`, NOW)).toThrow('the token signature is not valid');
    expect(() => verifier.verify(signAccountToken('acct-0001', 'another secret'), NOW)).toThrow(
      'the token signature is not valid',
    );
    expect(verifier.remembered).toBe(3);
    // One it let go is verified again, not refused.
    expect(verifier.verify(tokens[0]!, NOW)).toBe('acct-000a');
  });

  it('reads the bearer token of an authorization header', () => {
    const verifier = new AccountTokenVerifier(SECRET);
    const token = signAccountToken('acct-0001', SECRET, { now: NOW });
    expect(verifier.fromAuthorization(`Bearer ${token}`, NOW)).toBe('acct-0001');
    expect(() => verifier.fromAuthorization(undefined, NOW)).toThrow('missing authorization metadata');
    expect(() => verifier.fromAuthorization(token, NOW)).toThrow('authorization metadata must be "Bearer <token>"');
  });
});
