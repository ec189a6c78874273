import { Metadata, status, type ServerUnaryCall } from '@grpc/grpc-js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, platformConfigSchema } from '../src/config/config';
import { toStatusError } from '../src/errors/grpc-status';
import { Logger } from '../src/logging/logger';
import { CallerAuthorization } from '../src/security/caller-authorization';
import { identityOfSubjectAltName, spiffeId } from '../src/security/identity';
import { loadTransportSecurity } from '../src/security/transport-security';
import { RpcTelemetry } from '../src/telemetry/rpc-telemetry';

/** The parts of service identity that need no network: names, certificates' SANs, the policy check, config. */

const GET_TITLE = '/streamplane.catalog.v1.CatalogService/GetTitle';

function callFrom(subjectaltname: string | undefined): ServerUnaryCall<unknown, unknown> {
  return {
    getPath: () => GET_TITLE,
    metadata: new Metadata(),
    getAuthContext: () => ({
      transportSecurityType: 'ssl',
      sslPeerCertificate: subjectaltname === undefined ? undefined : { subjectaltname },
    }),
  } as unknown as ServerUnaryCall<unknown, unknown>;
}

describe('identity', () => {
  test('a name becomes a SPIFFE id of the trust domain; anything else is refused with the name', () => {
    expect(spiffeId('playback-authorization')).toBe('spiffe://streamplane.local/playback-authorization');
    expect(() => spiffeId('Catalog')).toThrow('"Catalog" is not an identity name');
    expect(() => spiffeId('a/b')).toThrow(/not an identity name/);
  });

  test.each([
    ['DNS:localhost, IP Address:127.0.0.1, URI:spiffe://streamplane.local/catalog', 'catalog'],
    ['URI:spiffe://streamplane.local/operator', 'operator'],
    // No identity: none at all, another trust domain, two at once, a path that is no name.
    ['DNS:localhost', undefined],
    ['URI:spiffe://example.org/catalog', undefined],
    ['URI:spiffe://streamplane.local/catalog, URI:spiffe://streamplane.local/billing', undefined],
    ['URI:spiffe://streamplane.local/catalog/admin', undefined],
    [undefined, undefined],
  ])('%s is %s', (subjectAltName, identity) => {
    expect(identityOfSubjectAltName(subjectAltName)).toBe(identity);
  });
});

describe('authorization by caller', () => {
  const lines: string[] = [];
  const authorization = new CallerAuthorization(
    { subtitles: [GET_TITLE] },
    new Logger('catalog', 'info', {}, (line) => lines.push(line)),
    new RpcTelemetry(),
  );
  const denial = (subjectaltname: string | undefined) => {
    try {
      authorization.check(callFrom(subjectaltname), GET_TITLE);
      return undefined;
    } catch (error) {
      return toStatusError(error).error;
    }
  };

  beforeEach(() => (lines.length = 0));

  test('a caller allowed the method, and operator, pass', () => {
    expect(denial('URI:spiffe://streamplane.local/subtitles')).toBeUndefined();
    expect(denial('URI:spiffe://streamplane.local/operator')).toBeUndefined();
    expect(lines).toEqual([]);
  });

  test('any other caller is PERMISSION_DENIED naming caller and method, and logged', () => {
    expect(denial('URI:spiffe://streamplane.local/billing')).toMatchObject({
      code: status.PERMISSION_DENIED,
      details: `billing may not call ${GET_TITLE}`,
    });
    expect(denial('DNS:localhost')).toMatchObject({
      code: status.PERMISSION_DENIED,
      details: `a caller without a streamplane.local identity may not call ${GET_TITLE}`,
    });
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'call denied', caller: 'billing', method: GET_TITLE }),
      expect.objectContaining({ level: 'warn', msg: 'call denied', caller: null, method: GET_TITLE }),
    ]);
  });
});

describe('transport security configuration', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'streamplane-tls-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const problemsOf = (work: () => unknown): string[] => {
    try {
      work();
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };

  test('plaintext by default, with HEALTH_PORT optional and checked like the other ports', () => {
    const config = loadConfig(platformConfigSchema, {});
    expect(config).toMatchObject({ STREAMPLANE_TLS: 'disabled' });
    expect(loadTransportSecurity(config)).toEqual({ mode: 'plaintext' });
    expect(problemsOf(() => loadConfig(platformConfigSchema, { HEALTH_PORT: 'high', STREAMPLANE_TLS: 'on' }))).toEqual([
      expect.stringMatching(/^STREAMPLANE_TLS: expected one of enabled, disabled \(got "on"\)/),
      expect.stringMatching(/^HEALTH_PORT: expected a port number \(got "high"\)/),
    ]);
  });

  test('enabled, a missing directory, missing files and a certificate without identity are named', () => {
    expect(problemsOf(() => loadTransportSecurity({ STREAMPLANE_TLS: 'enabled' }))).toEqual([
      expect.stringMatching(/^STREAMPLANE_TLS_DIR: must name the directory holding ca.crt, tls.crt, tls.key/),
    ]);
    writeFileSync(join(dir, 'ca.crt'), 'not a certificate');
    expect(problemsOf(() => loadTransportSecurity({ STREAMPLANE_TLS: 'enabled', STREAMPLANE_TLS_DIR: dir }))).toEqual([
      `STREAMPLANE_TLS_DIR: cannot read tls.crt in ${dir} (ENOENT)`,
      `STREAMPLANE_TLS_DIR: cannot read tls.key in ${dir} (ENOENT)`,
    ]);
    writeFileSync(join(dir, 'tls.crt'), 'not a certificate');
    writeFileSync(join(dir, 'tls.key'), 'not a key');
    expect(problemsOf(() => loadTransportSecurity({ STREAMPLANE_TLS: 'enabled', STREAMPLANE_TLS_DIR: dir }))).toEqual([
      expect.stringMatching(/^STREAMPLANE_TLS_DIR: tls.crt in .* is no PEM certificate/),
      expect.stringMatching(/^STREAMPLANE_TLS_DIR: ca.crt in .* is no PEM certificate/),
    ]);
  });
});
