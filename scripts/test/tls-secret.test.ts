import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeApiDouble } from '@streamplane/testkit';
import { loadTransportSecurity } from '@streamplane/platform';

/**
 * The chart's TLS hook command (compiled, with the real @kubernetes/client-node, in a child process as the
 * Job runs it; `npm run build` first) against the test kit's stand-in API server: it creates the Secret
 * once with a CA and certificates the platform accepts as each identity, keeps an existing one untouched,
 * refuses one that lacks an identity, and makes no call its Role (get, create on secrets) does not grant.
 */

const COMMAND = join(__dirname, '..', 'dist', 'tls-secret.js');
const SECRET = 'streamplane-tls';
const EXTENDED_KEY_USAGES = { serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2' };
const ARGS = [
  '--secret',
  SECRET,
  '--namespace',
  'streamplane',
  '--identity',
  'catalog=catalog,catalog.streamplane.svc,catalog.streamplane.svc.cluster.local',
  '--identity',
  'operator',
];

function run(kubeconfig: string, args = ARGS) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [COMMAND, ...args],
      { env: { PATH: process.env.PATH, KUBECONFIG: kubeconfig }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const decoded = (data: Record<string, string>) =>
  Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]));

describe('tls-secret (the chart hook Job)', () => {
  let api: KubeApiDouble;
  let kubeconfig: string;

  beforeEach(async () => {
    api = await new KubeApiDouble('streamplane', 'job-token').start();
    kubeconfig = api.writeKubeconfig();
  });

  afterEach(async () => {
    await api.stop();
  });

  test('creates the Secret once, with certificates the platform takes as each identity, and then keeps it', async () => {
    const first = await run(kubeconfig);
    expect(first).toMatchObject({ code: 0 });
    const stored = api.secrets.get(SECRET)!;
    expect((stored.metadata as { annotations?: Record<string, string> }).annotations).toEqual({
      'helm.sh/resource-policy': 'keep',
    });
    const data = decoded(stored.data as Record<string, string>);
    expect(Object.keys(data).sort()).toEqual(['ca.crt', 'catalog.crt', 'catalog.key', 'operator.crt', 'operator.key']);

    const ca = new X509Certificate(data['ca.crt']!);
    for (const name of ['catalog', 'operator']) {
      const certificate = new X509Certificate(data[`${name}.crt`]!);
      expect(certificate.verify(ca.publicKey)).toBe(true);
      expect(certificate.keyUsage).toEqual(expect.arrayContaining(Object.values(EXTENDED_KEY_USAGES)));
      // As STREAMPLANE_TLS_DIR is mounted from the Secret: the platform loads it as that identity.
      const dir = mkdtempSync(join(tmpdir(), 'tls-secret-'));
      writeFileSync(join(dir, 'ca.crt'), data['ca.crt']!);
      writeFileSync(join(dir, 'tls.crt'), data[`${name}.crt`]!);
      writeFileSync(join(dir, 'tls.key'), data[`${name}.key`]!);
      const security = loadTransportSecurity({ STREAMPLANE_TLS: 'enabled', STREAMPLANE_TLS_DIR: dir });
      expect(security).toMatchObject({ mode: 'mutual-tls', identity: name });
    }
    // grpcurl checks a served workload's Service names; a caller's certificate names its identity alone.
    expect(new X509Certificate(data['catalog.crt']!).subjectAltName).toBe(
      'URI:spiffe://streamplane.local/catalog, DNS:catalog, DNS:catalog.streamplane.svc, DNS:catalog.streamplane.svc.cluster.local',
    );
    expect(new X509Certificate(data['operator.crt']!).subjectAltName).toBe('URI:spiffe://streamplane.local/operator');

    const second = await run(kubeconfig);
    expect(second).toMatchObject({ code: 0 });
    expect(second.stdout).toContain('kept secret streamplane/streamplane-tls');
    expect(decoded(api.secrets.get(SECRET)!.data as Record<string, string>)).toEqual(data);
    // Exactly the Role's calls: get of the one Secret, create once.
    expect(api.requests.map((request) => `${request.method} ${request.path} ${request.status}`)).toEqual([
      `GET /api/v1/namespaces/streamplane/secrets/${SECRET} 404`,
      'POST /api/v1/namespaces/streamplane/secrets 201',
      `GET /api/v1/namespaces/streamplane/secrets/${SECRET} 200`,
    ]);
  }, 90_000);

  test('refuses a kept Secret without every identity, naming what is missing, and never rewrites it', async () => {
    api.addSecret(SECRET, { 'ca.crt': 'x', 'catalog.crt': 'x', 'catalog.key': 'x' });
    const result = await run(kubeconfig);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('lacks operator.crt, operator.key');
    expect(api.requests.map((request) => request.method)).toEqual(['GET']);
  }, 60_000);

  test('exits 2 with its usage for a missing option', async () => {
    const result = await run(kubeconfig, ['--identity', 'catalog']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--secret is required');
  });
});
