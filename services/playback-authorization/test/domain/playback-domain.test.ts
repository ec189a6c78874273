import { FailedPreconditionError, PermissionDeniedError, UnauthenticatedError } from '@streamplane/platform/errors';
import { accountFromAuthorization, signAccountToken, verifyAccountToken } from '@streamplane/streaming';
import { checkPlayback, selectRenditions, type PlaybackFacts, type Rendition } from '../../src/domain';

const SECRET = 'test-secret';
const NOW = new Date('2026-06-01T12:00:00Z');

describe('account tokens', () => {
  it('round-trips the account id', () => {
    const token = signAccountToken('acct-0001', SECRET, { now: NOW });
    expect(verifyAccountToken(token, SECRET, NOW)).toBe('acct-0001');
    expect(accountFromAuthorization(`Bearer ${token}`, SECRET, NOW)).toBe('acct-0001');
  });

  it.each([
    ['a missing header', undefined, /missing authorization/],
    ['another scheme', 'Basic abc', /Bearer/],
    ['garbage', 'Bearer not.a.jwt!', /signature|JWT|HS256/],
  ])('rejects %s', (_case, header, message) => {
    expect(() => accountFromAuthorization(header, SECRET, NOW)).toThrow(UnauthenticatedError);
    expect(() => accountFromAuthorization(header, SECRET, NOW)).toThrow(message);
  });

  it('rejects a token signed with another secret, an expired one, and alg "none"', () => {
    const foreign = signAccountToken('acct-0001', 'other', { now: NOW });
    expect(() => verifyAccountToken(foreign, SECRET, NOW)).toThrow(/signature/);
    const expired = signAccountToken('acct-0001', SECRET, { now: NOW, expiresInSeconds: 60 });
    expect(() => verifyAccountToken(expired, SECRET, new Date(NOW.getTime() + 61_000))).toThrow(/expired/);
    const [, payload] = signAccountToken('acct-0001', SECRET, { now: NOW }).split('.');
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    expect(() => verifyAccountToken(unsigned, SECRET, NOW)).toThrow(/HS256/);
  });
});

describe('renditions', () => {
  const ladder: Rendition[] = [
    { codec: 'h264', width: 320, height: 240, bitrateKbps: 235, hdr: false },
    { codec: 'h264', width: 1280, height: 720, bitrateKbps: 3000, hdr: false },
    { codec: 'h264', width: 1920, height: 1080, bitrateKbps: 5800, hdr: false },
    { codec: 'hevc', width: 3840, height: 2160, bitrateKbps: 16000, hdr: false },
    { codec: 'hevc', width: 3840, height: 2160, bitrateKbps: 16800, hdr: true },
  ];
  const premium = { planId: 'premium', maxResolutionHeight: 2160, hdrAllowed: true };
  const basic = { planId: 'basic', maxResolutionHeight: 720, hdrAllowed: false };

  it('gives a premium plan on a 4K HDR device everything, ascending bitrate', () => {
    const chosen = selectRenditions(ladder, premium, { maxHeight: 2160, supportsHdr: true, codecs: ['h264', 'hevc'] });
    expect(chosen.map((r) => r.bitrateKbps)).toEqual([235, 3000, 5800, 16000, 16800]);
  });

  it('cuts by plan, device height, HDR support and codecs', () => {
    expect(
      selectRenditions(ladder, basic, { maxHeight: 0, supportsHdr: true, codecs: [] }).map((r) => r.height),
    ).toEqual([240, 720]);
    expect(
      selectRenditions(ladder, premium, { maxHeight: 2160, supportsHdr: false, codecs: ['hevc', 'h264'] }).some(
        (r) => r.hdr,
      ),
    ).toBe(false);
    expect(
      selectRenditions(ladder, premium, { maxHeight: 1080, supportsHdr: true, codecs: ['h264'] }).map((r) => r.height),
    ).toEqual([240, 720, 1080]);
  });

  it('refuses when nothing fits', () => {
    expect(() => selectRenditions(ladder, basic, { maxHeight: 0, supportsHdr: false, codecs: ['av1'] })).toThrow(
      FailedPreconditionError,
    );
  });
});

describe('play checks', () => {
  const facts = (overrides: Partial<PlaybackFacts> = {}): PlaybackFacts => ({
    accountId: 'acct-0001',
    profile: { profileId: 'acct-0001-p1', accountId: 'acct-0001', maturityLevel: 18 },
    entitlement: { active: true, planId: 'premium', maxStreams: 4 },
    title: { titleId: 'tt00001', maturityLevel: 13, availableCountries: ['US', 'DE'] },
    country: 'US',
    ...overrides,
  });

  it('passes a valid play', () => {
    expect(() => checkPlayback(facts())).not.toThrow();
  });

  it('denies another account’s profile and a title above the profile’s maturity', () => {
    expect(() => checkPlayback(facts({ accountId: 'acct-0002' }))).toThrow(PermissionDeniedError);
    const kids = { profileId: 'acct-0001-p5', accountId: 'acct-0001', maturityLevel: 7 };
    expect(() => checkPlayback(facts({ profile: kids }))).toThrow(/above profile "acct-0001-p5"/);
  });

  it('refuses an inactive subscription and a title not available in the country', () => {
    expect(() => checkPlayback(facts({ entitlement: { active: false, planId: 'standard', maxStreams: 0 } }))).toThrow(
      FailedPreconditionError,
    );
    expect(() => checkPlayback(facts({ country: 'JP' }))).toThrow(/not available in JP/);
  });
});
