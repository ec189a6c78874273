import { signCdnUrl, verifyCdnUrl } from '../src/cdn-urls';

describe('signed CDN URLs', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  const expiresAt = new Date(now.getTime() + 3600_000);

  it('verifies what it signed until it expires', () => {
    const url = signCdnUrl('fleet-secret', 'oca-us-east-0001', 'tt00001', expiresAt);
    expect(url).toMatch(
      /^https:\/\/oca-us-east-0001\.oca\.streamplane\.example\/titles\/tt00001\?expires=\d+&sig=[0-9a-f]{64}$/,
    );
    expect(verifyCdnUrl(url, 'fleet-secret', now)).toBe(true);
    expect(verifyCdnUrl(url, 'fleet-secret', new Date(expiresAt.getTime() + 1000))).toBe(false);
  });

  it('rejects another secret and any tampering', () => {
    const url = signCdnUrl('fleet-secret', 'oca-us-east-0001', 'tt00001', expiresAt);
    expect(verifyCdnUrl(url, 'other-secret', now)).toBe(false);
    expect(verifyCdnUrl(url.replace('tt00001', 'tt00002'), 'fleet-secret', now)).toBe(false);
    expect(verifyCdnUrl(url.replace('oca-us-east-0001', 'oca-us-east-0002'), 'fleet-secret', now)).toBe(false);
    expect(verifyCdnUrl(url.replace(/expires=\d+/, 'expires=9999999999'), 'fleet-secret', now)).toBe(false);
    expect(verifyCdnUrl('not a url', 'fleet-secret', now)).toBe(false);
  });
});
