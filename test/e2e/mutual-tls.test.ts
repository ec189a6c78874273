import { status, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { APP_IDENTITY, SERVICES, type ServiceName } from '@streamplane/contracts';
import { channelCredentials, EXIT_BAD_CONFIG, loadTransportSecurity, OPERATOR_IDENTITY } from '@streamplane/platform';
import { LOCAL_DEVELOPMENT_SECRET, signAccountToken } from '@streamplane/streaming';
import { healthClient, runUntilExit, testClient, type TestClient } from '@streamplane/testkit';
import { createServer } from 'node:net';
import { DevelopmentCa, Platform, REPO_ROOT } from '@streamplane/tools';

/**
 * The platform under mutual TLS, as `STREAMPLANE_TLS=enabled npm start` runs it: every service and the
 * edge as real processes with certificates from a CA made for this test. What it proves: allowed calls
 * work through every hop as before; plaintext and certificates of another CA are refused at the
 * transport; an identity the call graph does not allow is PERMISSION_DENIED naming caller and method,
 * and counted; health answers in plaintext on HEALTH_PORT, and serves nothing else there.
 */

const PLAY = {
  profile_id: 'acct-0001-p1',
  title_id: 'tt00001',
  device: { device_id: 'tv-1', max_height: 2160, supports_hdr: true, codecs: ['h264', 'hevc'] },
  client: { ip: '203.0.113.7', country: 'US', asn: 20250 },
};
const BEARER = { authorization: `Bearer ${signAccountToken('acct-0001', LOCAL_DEVELOPMENT_SECRET)}` };
const GET_ENTITLEMENT = '/streamplane.billing.v1.BillingService/GetEntitlement';

describe('mutual TLS across the platform', () => {
  let dir: string;
  let ca: DevelopmentCa;
  let platform: Platform;
  const clients: TestClient[] = [];

  /** Channel credentials presenting `identity`'s certificate from `issuer` (the platform's CA by default). */
  function credentialsOf(identity: string, issuer: DevelopmentCa = ca): ChannelCredentials {
    const tlsDir = issuer.issueInto(identity, join(dir, 'clients', basename(issuer.dir), identity));
    return channelCredentials(loadTransportSecurity({ STREAMPLANE_TLS: 'enabled', STREAMPLANE_TLS_DIR: tlsDir }));
  }

  function client(service: ServiceName, creds?: ChannelCredentials): TestClient {
    const made = testClient(SERVICES[service], platform.address(service), creds);
    clients.push(made);
    return made;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'streamplane-mtls-'));
    ca = DevelopmentCa.open(join(dir, 'ca'));
    platform = await Platform.start({
      ports: 'free',
      withEdge: true,
      env: { STREAMPLANE_TLS: 'enabled', LOG_LEVEL: 'info' },
      certificateAuthority: ca,
    });
  }, 120_000);

  afterAll(async () => {
    for (const made of clients) made.close();
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  test('an app plays through every hop, each one dialled with its own certificate', async () => {
    const playback = client('playback-authorization', credentialsOf(APP_IDENTITY));
    const grant = await playback.call<{ degraded_features: string[]; cdn_urls: unknown[]; subtitle_tracks: unknown[] }>(
      'AuthorizePlayback',
      PLAY,
      { metadata: BEARER },
    );
    // Steering and subtitles too: a hop refused under TLS would show here as a degraded feature.
    expect(grant.degraded_features).toEqual([]);
    expect(grant.cdn_urls.length).toBeGreaterThan(1);
    expect(grant.subtitle_tracks.length).toBeGreaterThan(0);
    expect(platform.state('edge')).toBe('SERVING');
  });

  test('a plaintext caller is refused at the transport', async () => {
    const error = await client('catalog').fail('GetTitle', { title_id: 'tt00001', country: 'US' });
    expect(error.code).toBe(status.UNAVAILABLE);
  });

  test('a certificate from another CA is refused at the transport', async () => {
    const stranger = DevelopmentCa.open(join(dir, 'other-ca'));
    const error = await client('catalog', credentialsOf(OPERATOR_IDENTITY, stranger)).fail('GetTitle', {
      title_id: 'tt00001',
      country: 'US',
    });
    expect(error.code).toBe(status.UNAVAILABLE);
  });

  test('an identity the call graph does not allow is PERMISSION_DENIED naming caller and method, and counted', async () => {
    // Subtitles calls catalog, never billing.
    const asSubtitles = client('billing', credentialsOf('subtitles'));
    const denied: ServiceError = await asSubtitles.fail('GetEntitlement', { account_id: 'acct-0001' });
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    expect(denied.details).toBe(`subtitles may not call ${GET_ENTITLEMENT}`);
    // The app may not evacuate a region: that is an operator's call.
    const asApp = client('steering', credentialsOf(APP_IDENTITY));
    const evacuate = await asApp.fail('EvacuateRegion', { region: 'us-east' });
    expect(evacuate.code).toBe(status.PERMISSION_DENIED);
    expect(evacuate.details).toContain('app may not call /streamplane.steering.v1.SteeringService/EvacuateRegion');

    const metrics = await (await fetch(`http://127.0.0.1:${platform.metricsPort('billing')}/metrics`)).text();
    const line = metrics
      .split('\n')
      .find((row) => row.startsWith('streamplane_server_denied_total{') && row.includes('caller="subtitles"'));
    expect(line).toContain('rpc_method="GetEntitlement"');
    expect(Number(line?.split(' ').pop())).toBe(1);
  });

  test('each process exports when the certificate it presents expires, for the TlsCertificateExpiringSoon alert', async () => {
    const certificate = new X509Certificate(readFileSync(join(ca.dir, 'components', 'billing', 'tls.crt')));
    const metrics = await (await fetch(`http://127.0.0.1:${platform.metricsPort('billing')}/metrics`)).text();
    const line = metrics
      .split('\n')
      .find((row) => row.startsWith('streamplane_tls_certificate_expiry_timestamp_seconds{'));
    expect(line).toContain('identity="billing"');
    expect(Number(line?.split(' ').pop())).toBe(Math.floor(new Date(certificate.validTo).getTime() / 1000));
  });

  test('allowed callers are unchanged: the playback service may ask billing, an operator may ask anything', async () => {
    const asPlayback = client('billing', credentialsOf('playback-authorization'));
    await expect(asPlayback.call('GetEntitlement', { account_id: 'acct-0001' })).resolves.toMatchObject({
      active: true,
    });
    const asOperator = client('steering', credentialsOf(OPERATOR_IDENTITY));
    await expect(asOperator.call('ListAppliances', { region: 'us-east', page_size: 1 })).resolves.toMatchObject({
      appliances: [expect.anything()],
    });
  });

  test('health answers in plaintext on HEALTH_PORT, which serves nothing else; on the service port, under TLS', async () => {
    const healthAddress = `127.0.0.1:${platform.healthPort('catalog')}`;
    const probe = healthClient(healthAddress);
    clients.push(probe);
    await expect(probe.call('Check', { service: '' })).resolves.toEqual({ status: 'SERVING' });
    const onHealthPort = testClient(SERVICES.catalog, healthAddress);
    clients.push(onHealthPort);
    expect((await onHealthPort.fail('GetTitle', { title_id: 'tt00001', country: 'US' })).code).toBe(
      status.UNIMPLEMENTED,
    );
    // Health on the service port is open to any identity the transport lets in, whatever the policy says.
    const mutual = healthClient(platform.address('catalog'), credentialsOf('steering'));
    clients.push(mutual);
    await expect(mutual.call('Check', { service: SERVICES.catalog.grpcService })).resolves.toEqual({
      status: 'SERVING',
    });
  });

  test('npm run certs issues a usable certificate for a named identity, and refuses an unknown one', async () => {
    const run = promisify(execFile);
    const env = { ...process.env, STREAMPLANE_DEV_CA_DIR: ca.dir };
    const out = join(dir, 'issued-operator');
    const { stdout } = await run(process.execPath, ['scripts/dist/certs.js', '--identity', 'operator', '--out', out], {
      cwd: REPO_ROOT,
      env,
    });
    expect(stdout).toContain('spiffe://streamplane.local/operator');
    const security = loadTransportSecurity({ STREAMPLANE_TLS: 'enabled', STREAMPLANE_TLS_DIR: out });
    expect(security).toMatchObject({ mode: 'mutual-tls', identity: 'operator' });
    const asIssued = client('steering', channelCredentials(security));
    await expect(asIssued.call('ListAppliances', { region: 'us-east', page_size: 1 })).resolves.toBeDefined();

    const refused = await run(process.execPath, ['scripts/dist/certs.js', '--identity', 'mallory'], {
      cwd: REPO_ROOT,
      env,
    }).catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('--identity: "mallory" is none of') });
  });
});

describe('a service that cannot secure or expose its ports does not start', () => {
  test('STREAMPLANE_TLS=enabled without STREAMPLANE_TLS_DIR exits EX_CONFIG naming the variable', async () => {
    const { code, stderr } = await runUntilExit('subtitles', { STREAMPLANE_TLS: 'enabled' });
    expect(code).toBe(EXIT_BAD_CONFIG);
    expect(stderr).toContain('STREAMPLANE_TLS_DIR: must name the directory holding ca.crt, tls.crt, tls.key');
  });

  test("a certificate of another identity than the service's own exits EX_CONFIG naming both", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamplane-wrong-identity-'));
    try {
      const tlsDir = DevelopmentCa.open(join(dir, 'ca')).issueInto('billing', join(dir, 'billing'));
      const { code, stderr } = await runUntilExit('subtitles', {
        STREAMPLANE_TLS: 'enabled',
        STREAMPLANE_TLS_DIR: tlsDir,
      });
      expect(code).toBe(EXIT_BAD_CONFIG);
      expect(stderr).toContain('STREAMPLANE_TLS_DIR: tls.crt is the certificate of billing, not of subtitles');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a HEALTH_PORT another process holds exits EX_CONFIG naming HEALTH_PORT', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as { port: number };
    try {
      const { code, stderr } = await runUntilExit('subtitles', { HEALTH_PORT: String(port) });
      expect(code).toBe(EXIT_BAD_CONFIG);
      expect(stderr).toContain(`HEALTH_PORT: port ${port} on 127.0.0.1 is already in use`);
    } finally {
      holder.close();
    }
  });
});
