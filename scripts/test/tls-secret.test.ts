import { execFile } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeApiDouble } from '@streamplane/testkit';
import { loadTransportSecurity } from '@streamplane/platform';
import { newCertificateAuthority } from '../certificates';
import { identitiesDue, issueFor, parseTlsSecretArguments, RENEW_WITHIN_DAYS } from '../tls-secret';

/**
 * The chart's TLS hook command (compiled, with the real @kubernetes/client-node, in a child process as the
 * Job runs it; `npm run build` first) against the test kit's stand-in API server: it creates the Secret
 * once with a CA and certificates the platform accepts as each identity (the CA's key apart), keeps it
 * while nothing is due, renews what is due from the kept CA, refuses to rewrite one whose CA key it does
 * not have, and makes no call its Role (get, create, update of the one Secret) does not grant.
 */

const COMMAND = join(__dirname, '..', 'dist', 'tls-secret.js');
const SECRET = 'streamplane-tls';
const CA_SECRET = 'streamplane-tls-ca';
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

    // The CA's key is kept apart, in a Secret no pod mounts, for renewals.
    const caData = decoded(api.secrets.get(CA_SECRET)!.data as Record<string, string>);
    expect(Object.keys(caData).sort()).toEqual(['ca.crt', 'ca.key']);
    expect(caData['ca.crt']).toBe(data['ca.crt']);
    expect(ca.checkPrivateKey(createPrivateKey(caData['ca.key']!))).toBe(true);

    const second = await run(kubeconfig);
    expect(second).toMatchObject({ code: 0 });
    expect(second.stdout).toContain('kept secret streamplane/streamplane-tls');
    expect(decoded(api.secrets.get(SECRET)!.data as Record<string, string>)).toEqual(data);
    // Exactly the Role's calls: get of the two Secrets, create each once.
    expect(api.requests.map((request) => `${request.method} ${request.path} ${request.status}`)).toEqual([
      `GET /api/v1/namespaces/streamplane/secrets/${SECRET} 404`,
      `GET /api/v1/namespaces/streamplane/secrets/${CA_SECRET} 404`,
      'POST /api/v1/namespaces/streamplane/secrets 201',
      'POST /api/v1/namespaces/streamplane/secrets 201',
      `GET /api/v1/namespaces/streamplane/secrets/${SECRET} 200`,
      `GET /api/v1/namespaces/streamplane/secrets/${CA_SECRET} 200`,
    ]);
  }, 90_000);

  test('renews what is due from the kept CA in one replace, and leaves the rest and the CA as they were', async () => {
    expect((await run(kubeconfig)).code).toBe(0);
    const before = decoded(api.secrets.get(SECRET)!.data as Record<string, string>);
    // An identity added to the chart since (or a certificate lost): due, like one about to expire.
    const { ['operator.crt']: _cert, ['operator.key']: _key, ...withoutOperator } = before;
    api.secrets.set(SECRET, {
      ...api.secrets.get(SECRET)!,
      data: Object.fromEntries(
        Object.entries(withoutOperator).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
      ),
    });
    api.requests.length = 0;
    const renewal = await run(kubeconfig);
    expect(renewal).toMatchObject({ code: 0 });
    expect(renewal.stdout).toContain('renewed certificates of operator in secret streamplane/streamplane-tls');
    const after = decoded(api.secrets.get(SECRET)!.data as Record<string, string>);
    expect(after['ca.crt']).toBe(before['ca.crt']);
    expect(after['catalog.crt']).toBe(before['catalog.crt']);
    expect(new X509Certificate(after['operator.crt']!).verify(new X509Certificate(after['ca.crt']!).publicKey)).toBe(
      true,
    );
    expect(api.requests.map((request) => `${request.method} ${request.status}`)).toEqual([
      'GET 200',
      'GET 200',
      'PUT 200',
    ]);
  }, 90_000);

  test('refuses a kept Secret without every identity and without its CA key, naming what is missing, and never rewrites it', async () => {
    api.addSecret(SECRET, { 'ca.crt': 'x', 'catalog.crt': 'x', 'catalog.key': 'x' });
    const result = await run(kubeconfig);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('lacks operator.crt, operator.key');
    expect(result.stderr).toContain(`its CA's key is not kept in streamplane/${CA_SECRET}`);
    expect(api.requests.map((request) => request.method)).toEqual(['GET', 'GET']);
  }, 60_000);

  test('exits 2 with its usage for a missing option', async () => {
    const result = await run(kubeconfig, ['--identity', 'catalog']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--secret is required');
  });
});

describe('which certificates are due', () => {
  const request = parseTlsSecretArguments(ARGS);
  const ca = newCertificateAuthority('test CA');
  const data: Record<string, string> = { 'ca.crt': ca.certPem, ...issueFor(ca, request.identities) };
  const validTo = new Date(new X509Certificate(data['catalog.crt']!).validTo).getTime();
  const day = 24 * 3600 * 1000;

  test('none while every certificate is good for 30 days more; all of them from then on', () => {
    expect(identitiesDue(data, request, new Date())).toEqual([]);
    expect(identitiesDue(data, request, new Date(validTo - (RENEW_WITHIN_DAYS + 1) * day))).toEqual([]);
    expect(identitiesDue(data, request, new Date(validTo - (RENEW_WITHIN_DAYS - 1) * day))).toEqual([
      'catalog',
      'operator',
    ]);
  });

  test('a missing or unreadable certificate is due at once', () => {
    expect(identitiesDue({ ...data, 'operator.key': '' }, request, new Date())).toEqual(['operator']);
    expect(identitiesDue({ ...data, 'catalog.crt': 'half a PEM' }, request, new Date())).toEqual(['catalog']);
  });
});
