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

  it('verifies a title id that needs percent-encoding', () => {
    const url = signCdnUrl('fleet-secret', 'origin', 'tt 00001/é?#', expiresAt);
    expect(url).toContain('/titles/tt%2000001%2F%C3%A9%3F%23?');
    expect(verifyCdnUrl(url, 'fleet-secret', now)).toBe(true);
  });

  it('rejects another secret and any tampering', () => {
    const url = signCdnUrl('fleet-secret', 'oca-us-east-0001', 'tt00001', expiresAt);
    expect(verifyCdnUrl(url, 'other-secret', now)).toBe(false);
    expect(verifyCdnUrl(url.replace('tt00001', 'tt00002'), 'fleet-secret', now)).toBe(false);
    expect(verifyCdnUrl(url.replace('oca-us-east-0001', 'oca-us-east-0002'), 'fleet-secret', now)).toBe(false);
    expect(verifyCdnUrl(url.replace(/expires=\d+/, 'expires=9999999999'), 'fleet-secret', now)).toBe(false);
    expect(verifyCdnUrl('not a url', 'fleet-secret', now)).toBe(false);
  });

  it('refuses to sign for an appliance id that cannot be a host name', () => {
    for (const applianceId of ['', 'OCA-1', 'oca.1', '-oca', 'oca-', 'oca_1', 'user@oca']) {
      expect(() => signCdnUrl('fleet-secret', applianceId, 'tt00001', expiresAt)).toThrow(/host name/);
    }
  });

  describe('accepts only the exact form signCdnUrl makes', () => {
    const secret = 'fleet-secret';
    const valid = signCdnUrl(secret, 'oca-us-east-0001', 'tt 1', expiresAt);
    const { expires, sig } = Object.fromEntries(new URL(valid).searchParams) as { expires: string; sig: string };
    const host = 'oca-us-east-0001.oca.streamplane.example';
    const query = `expires=${expires}&sig=${sig}`;

    // Each of these either means the same thing as `valid` to a URL parser, or is broken in a way that once
    // made verification throw; all must be refused quietly.
    const malformed: Array<[string, string]> = [
      ['a truncated percent-encoding', `https://${host}/titles/%E0%A4%A?${query}`],
      ['an invalid UTF-8 percent-encoding', `https://${host}/titles/%E0%A4%41?${query}`],
      ['a lone percent sign', `https://${host}/titles/tt%?${query}`],
      ['lowercase percent-encoding', `https://${host}/titles/tt%2a1?${query}`],
      ['an encoded character encodeURIComponent leaves alone', `https://${host}/titles/tt%201%41?${query}`],
      ['a raw space in the title', `https://${host}/titles/tt 1?${query}`],
      ['plain http', valid.replace('https:', 'http:')],
      ['an uppercase scheme', valid.replace('https:', 'HTTPS:')],
      ['an uppercase host', valid.replace(host, host.toUpperCase())],
      ['a port', valid.replace(host, `${host}:443`)],
      ['another port', valid.replace(host, `${host}:8443`)],
      ['userinfo', valid.replace(host, `user:password@${host}`)],
      ['empty userinfo', valid.replace(host, `@${host}`)],
      ['a trailing dot on the host', valid.replace(host, `${host}.`)],
      ['another domain', valid.replace('.example', '.example.evil')],
      ['a host inside another domain', valid.replace(host, `oca-us-east-0001.oca.streamplane.example.evil.test`)],
      ['backslashes', valid.replace('/titles/', '\\titles\\')],
      ['a dot segment', valid.replace('/titles/', '/titles/../titles/')],
      ['a second path segment', valid.replace('?', '/init.mp4?')],
      ['a hexadecimal expiry', valid.replace(`expires=${expires}`, `expires=0x${Number(expires).toString(16)}`)],
      ['a leading zero on the expiry', valid.replace(`expires=${expires}`, `expires=0${expires}`)],
      ['an exponent expiry', valid.replace(`expires=${expires}`, `expires=${Number(expires) / 1e9}e9`)],
      ['a fractional expiry', valid.replace(`expires=${expires}`, `expires=${expires}.0`)],
      ['a signed expiry', valid.replace(`expires=${expires}`, `expires=+${expires}`)],
      ['an expiry too large to be exact', valid.replace(`expires=${expires}`, `expires=${'9'.repeat(400)}`)],
      ['a zero expiry', valid.replace(`expires=${expires}`, 'expires=0')],
      ['no expiry', `https://${host}/titles/tt%201?sig=${sig}`],
      ['no signature', `https://${host}/titles/tt%201?expires=${expires}`],
      ['the parameters swapped', `https://${host}/titles/tt%201?sig=${sig}&expires=${expires}`],
      ['a duplicate expiry', `${valid.replace('&sig', `&expires=${expires}&sig`)}`],
      ['a duplicate signature', `${valid}&sig=${sig}`],
      ['another parameter', `${valid}&x=1`],
      ['an empty parameter', valid.replace('&sig', '&&sig')],
      ['trailing junk after the signature', `${valid}junk`],
      ['one more hex digit', `${valid}0`],
      ['a short signature', valid.slice(0, -2)],
      ['an uppercase signature', valid.replace(sig, sig.toUpperCase())],
      ['a fragment', `${valid}#t=10`],
      ['an empty fragment', `${valid}#`],
      ['a trailing newline', `${valid}\n`],
      ['a leading space', ` ${valid}`],
      ['a tab inside, which URL parsers delete', valid.replace('titles', 'tit\tles')],
      ['an empty string', ''],
      ['only a scheme', 'https:'],
      ['a percent sign only', '%'],
    ];

    it('and still verifies the URL itself', () => {
      expect(verifyCdnUrl(valid, secret, now)).toBe(true);
    });

    it.each(malformed)('refuses %s without throwing', (_case, url) => {
      expect(url).not.toBe(valid);
      expect(() => verifyCdnUrl(url, secret, now)).not.toThrow();
      expect(verifyCdnUrl(url, secret, now)).toBe(false);
    });
  });
});
