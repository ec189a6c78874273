import { Server as GrpcServer, ServerCredentials } from '@grpc/grpc-js';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EDGE, SERVICE_NAMES } from '@streamplane/contracts';
import { staticAddressVariable } from '@streamplane/platform';
import { describeWhenInstalled } from '@streamplane/testkit';
import { DevelopmentCa, Platform, REPO_ROOT } from '@streamplane/tools';
import { startHttpBinary, type HttpBinary } from '../observability/http-binary';

/**
 * The Security Monkey (`npm run chaos -- security`, built) against a real platform with its edge, first in
 * plaintext, then under mutual TLS (one platform at a time). In plaintext: every probe is refused as the
 * contract says, the services report their own posture on /metrics (plaintext, development secrets where
 * they hold one), and the exit code follows --fail-on. Under TLS with secrets of its own: the monkey learns
 * TLS from the posture, dials as the tools do, and every probe, the TLS ones included, is refused: no
 * finding at all. Stand-ins that serve anything (an edge, a plaintext gRPC port, a gRPC port that lets any
 * identity in) turn their probes into high findings; without a CA key, the identity probe is low, not run.
 */
jest.setTimeout(120_000);

const CHAOS_CLI = join(REPO_ROOT, 'scripts', 'dist', 'chaos.js');
const PROBE_RULES = [
  'token-bad-signature',
  'token-expired',
  'token-alg-none',
  'token-no-expiry',
  'session-of-another-account',
  'cdn-unsigned',
  'cdn-expired',
  'cdn-tampered',
  'request-oversized',
  'request-unparsable',
];

interface Report {
  findings: Array<{ rule: string; severity: string; subject: string; message: string; fix: string }>;
  counts: { high: number; medium: number; low: number };
}

const metricsVariable = (name: string) => staticAddressVariable(name).replace(/_ADDR$/, '_METRICS_ADDR');

/** The built tool with a JSON report; its exit code, its table and the report. */
function security(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string; report?: Report }> {
  const reportPath = join(mkdtempSync(join(tmpdir(), 'security-monkey-')), 'sec.json');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CHAOS_CLI, 'security', '--report', reportPath, ...args],
      { env: { PATH: process.env.PATH, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        let report: Report | undefined;
        try {
          report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
        } catch {
          // no report: the run failed before writing one, which the assertions on the code show
        }
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr, report });
      },
    );
  });
}

/** An HTTP server on loopback answering every request with `status` and `body`. */
async function stubServer(status: number, body: string): Promise<Server> {
  const server = createServer((_request, response) => {
    response.writeHead(status, { 'content-type': 'text/plain' });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Where the platform's services, edge and metrics are, as the monkey's variables say it. */
function addressesOf(platform: Platform): Record<string, string> {
  const env: Record<string, string> = {
    EDGE_ADDR: platform.address(EDGE.name),
    [metricsVariable(EDGE.name)]: `127.0.0.1:${platform.metricsPort(EDGE.name)}`,
  };
  for (const name of SERVICE_NAMES) {
    env[staticAddressVariable(name)] = platform.address(name);
    env[metricsVariable(name)] = `127.0.0.1:${platform.metricsPort(name)}`;
  }
  return env;
}

const summary = (report: Report | undefined) =>
  report?.findings.map(({ rule, severity, subject }) => ({ rule, severity, subject }));

const addressOf = (server: Server) => `127.0.0.1:${(server.address() as AddressInfo).port}`;
const closed = (server: Server | undefined) =>
  new Promise<void>((resolve) => {
    if (!server) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });

describe('chaos: the Security Monkey against a running platform', () => {
  let platform: Platform;
  let env: Record<string, string>;

  beforeAll(async () => {
    platform = await Platform.start({ ports: 'free', withEdge: true, env: { LOG_LEVEL: 'warn' } });
    env = addressesOf(platform);
  });

  afterAll(async () => {
    await platform?.stop();
  });

  test('every probe is refused; the posture shows plaintext and development secrets, which are high: exit 1', async () => {
    const { code, stdout, stderr, report } = await security([], env);
    expect({ stderr, reported: report !== undefined }).toEqual({ stderr: '', reported: true });
    // The findings themselves, so that a failure shows what the probe got.
    expect(report!.findings.filter((finding) => PROBE_RULES.includes(finding.rule))).toEqual([]);
    const about = (rule: string) =>
      report!.findings
        .filter((finding) => finding.rule === rule)
        .map((f) => f.subject)
        .sort();
    expect(about('tls-disabled')).toEqual([...SERVICE_NAMES, EDGE.name].sort());
    // Only the processes that hold a secret report one, each at the development default npm start leaves.
    expect(about('development-secrets')).toEqual(['edge', 'playback-authorization', 'steering']);
    expect(
      report!.findings.find((f) => f.subject === 'playback-authorization' && f.rule === 'development-secrets')?.message,
    ).toContain('STREAMPLANE_AUTH_SECRET, STREAMPLANE_CDN_SECRET');
    expect(about('faults-enabled')).toEqual([]);
    expect(about('posture-unknown')).toEqual([]);
    expect(report!.counts).toEqual({ high: report!.findings.length, medium: 0, low: 0 });
    expect(code).toBe(1);
    expect(stdout).toContain('tls-disabled');
  });

  test('--fail-on none exits 0 with the same findings', async () => {
    const { code, report } = await security(['--fail-on', 'none'], env);
    expect(report!.counts.high).toBeGreaterThan(0);
    expect(code).toBe(0);
  });

  test('with no platform where it looks, it says so in one line and exits 1', async () => {
    const { code, stderr, report } = await security(['--port-offset', '7321'], {});
    expect({ code, report }).toEqual({ code: 1, report: undefined });
    expect(stderr).toMatch(
      /^npm run chaos -- security: no platform answers .*start one with npm start -- --port-offset 7321\n$/,
    );
  });

  test('bad usage is one line and exit 2', async () => {
    const { code } = await security(['--fail-on', 'critical'], env);
    expect(code).toBe(2);
  });

  describeWhenInstalled(
    'prometheus-pushgateway',
    'apt-get install prometheus-pushgateway; .ci/run does',
    'its findings counter in a real Pushgateway',
    () => {
      let gateway: HttpBinary;
      const group = () => `${gateway.url}/metrics/job/streamplane-security-monkey`;
      /** The gateway's samples of the findings counter, by rule and severity. */
      const pushedCounts = async () => {
        const exposition = await (await fetch(`${gateway.url}/metrics`)).text();
        return Object.fromEntries(
          [...exposition.matchAll(/^streamplane_security_findings_total\{(.*)\} (\d+)$/gm)].map(([, labels, value]) => {
            expect(labels).toContain('job="streamplane-security-monkey"');
            const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(labels!)![1];
            return [`${label('rule')}/${label('severity')}`, Number(value)];
          }),
        );
      };

      beforeAll(async () => {
        gateway = await startHttpBinary({
          binary: 'prometheus-pushgateway',
          args: (_dir, listenAddress) => [`--web.listen-address=${listenAddress}`, '--log.level=warn'],
          readyPath: '/-/ready',
        });
      });

      afterAll(async () => {
        await gateway?.stop();
      });

      test("--push-gateway: the run's counts replace the group's, a rule not found again included", async () => {
        // A finding of an earlier run, which this run does not make: it must leave the gateway.
        const earlier = await fetch(group(), {
          method: 'PUT',
          body: '# TYPE streamplane_security_findings_total counter\nstreamplane_security_findings_total{rule="stale-rule",severity="high"} 1\n',
        });
        expect(earlier.status).toBe(200);
        const { code, stderr, report } = await security(['--push-gateway', gateway.url], env);
        expect(stderr).toBe('');
        const expected: Record<string, number> = {};
        for (const { rule, severity } of report!.findings) {
          expected[`${rule}/${severity}`] = (expected[`${rule}/${severity}`] ?? 0) + 1;
        }
        expect(Object.keys(expected)).toContain('tls-disabled/high');
        expect(await pushedCounts()).toEqual(expected);
        expect(code).toBe(1);
      });

      test("a gateway that does not answer is said in one line; the exit code is the findings'", async () => {
        const url = gateway.url;
        await gateway.stop();
        const { code, stderr, report } = await security(['--fail-on', 'none', '--push-gateway', url], env);
        expect(stderr).toMatch(
          /^npm run chaos -- security: findings not pushed: the Pushgateway at http:\/\/127\.0\.0\.1:\d+ did not answer \(ECONNREFUSED\)\n$/,
        );
        expect(report!.counts.high).toBeGreaterThan(0);
        expect(code).toBe(0);
      });
    },
  );
});

describe('chaos: the Security Monkey against a platform under mutual TLS', () => {
  let dir: string;
  let ca: DevelopmentCa;
  let platform: Platform;
  let env: Record<string, string>;
  const standIns: { edge?: Server; plaintext?: GrpcServer; anyIdentity?: GrpcServer } = {};

  /** A gRPC server of no service on loopback (every call UNIMPLEMENTED), bound with `creds`; its address. */
  async function grpcStandIn(creds: ServerCredentials): Promise<{ server: GrpcServer; address: string }> {
    const server = new GrpcServer();
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', creds, (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    return { server, address: `127.0.0.1:${port}` };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'security-monkey-tls-'));
    ca = DevelopmentCa.open(join(dir, 'ca'));
    // Secrets of its own, so that the posture is clean and any finding is the probes'.
    const secrets = {
      STREAMPLANE_AUTH_SECRET: randomBytes(32).toString('hex'),
      STREAMPLANE_CDN_SECRET: randomBytes(32).toString('hex'),
    };
    platform = await Platform.start({
      ports: 'free',
      withEdge: true,
      env: { STREAMPLANE_TLS: 'enabled', LOG_LEVEL: 'warn', ...secrets },
      certificateAuthority: ca,
    });
    // No STREAMPLANE_TLS: the monkey learns it from the posture. The CA is where `npm start` would keep it.
    env = { ...addressesOf(platform), ...secrets, STREAMPLANE_DEV_CA_DIR: ca.dir };
  });

  afterAll(async () => {
    await closed(standIns.edge);
    standIns.plaintext?.forceShutdown();
    standIns.anyIdentity?.forceShutdown();
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every probe is refused, plaintext and a missing or disallowed certificate included: no finding, exit 0', async () => {
    const { code, stderr, report } = await security([], env);
    expect({ stderr, findings: report?.findings }).toEqual({ stderr: '', findings: [] });
    expect(code).toBe(0);
  });

  test('a port that answers plaintext, and one that lets any identity in, are high: exit 1', async () => {
    const plaintext = await grpcStandIn(ServerCredentials.createInsecure());
    standIns.plaintext = plaintext.server;
    const steering = ca.issue('steering');
    // Asks for a certificate of the CA, as the platform does, and then serves whoever presents one.
    const anyIdentity = await grpcStandIn(
      ServerCredentials.createSsl(
        Buffer.from(ca.certPem),
        [{ private_key: Buffer.from(steering.keyPem), cert_chain: Buffer.from(steering.certPem) }],
        true,
      ),
    );
    standIns.anyIdentity = anyIdentity.server;
    const { code, report } = await security([], {
      ...env,
      [staticAddressVariable('subtitles')]: plaintext.address,
      [staticAddressVariable('steering')]: anyIdentity.address,
    });
    expect(summary(report)).toEqual([
      { rule: 'tls-identity-not-allowed', severity: 'high', subject: 'steering' },
      { rule: 'tls-plaintext-accepted', severity: 'high', subject: 'subtitles' },
      // A TLS caller is refused by a plaintext port, as by the tools: that proves nothing.
      { rule: 'tls-no-client-certificate', severity: 'low', subject: 'subtitles' },
    ]);
    expect(report!.findings[0]!.message).toContain('expected PERMISSION_DENIED, got UNIMPLEMENTED');
    expect(report!.findings[2]!.message).toContain('nothing proved');
    expect(code).toBe(1);
  });

  test('an edge that serves unsigned, expired and tampered URLs gives a high finding for each: exit 1', async () => {
    standIns.edge = await stubServer(200, 'anything you like');
    const { code, report } = await security([], { ...env, EDGE_ADDR: addressOf(standIns.edge) });
    expect(summary(report)).toEqual([
      { rule: 'cdn-expired', severity: 'high', subject: 'edge' },
      { rule: 'cdn-tampered', severity: 'high', subject: 'edge' },
      { rule: 'cdn-unsigned', severity: 'high', subject: 'edge' },
    ]);
    expect(report!.findings[0]!.message).toContain('expected HTTP 403, got HTTP 200');
    expect(code).toBe(1);
  });

  test('without a CA key to issue the disallowed identity, that probe is low and says why; the rest dial with STREAMPLANE_TLS_DIR', async () => {
    const noCa = mkdtempSync(join(dir, 'no-ca-'));
    const { code, report } = await security([], {
      ...env,
      STREAMPLANE_TLS: 'enabled',
      STREAMPLANE_TLS_DIR: ca.identityDir('operator'),
      STREAMPLANE_DEV_CA_DIR: noCa,
    });
    expect(summary(report)).toEqual([{ rule: 'tls-identity-not-allowed', severity: 'low', subject: 'steering' }]);
    expect(report!.findings[0]!.message).toContain(
      `not probed: a certificate of app is needed, and there is no SECURITY_MONKEY_APP_TLS_DIR, and no development CA key in ${noCa}`,
    );
    expect(code).toBe(0);
  });

  test("as in the cluster, without a CA key but with the platform's app certificate mounted, every probe runs and is refused", async () => {
    const noCa = mkdtempSync(join(dir, 'no-ca-'));
    const asInTheCluster = {
      ...env,
      STREAMPLANE_TLS: 'enabled',
      STREAMPLANE_TLS_DIR: ca.identityDir('operator'),
      STREAMPLANE_DEV_CA_DIR: noCa,
    };
    const { code, stderr, report } = await security([], {
      ...asInTheCluster,
      SECURITY_MONKEY_APP_TLS_DIR: ca.identityDir('app'),
    });
    expect({ stderr, findings: report?.findings }).toEqual({ stderr: '', findings: [] });
    expect(code).toBe(0);
    // A certificate of another identity would prove nothing about app: refused as usage, naming the variable.
    const wrong = await security([], { ...asInTheCluster, SECURITY_MONKEY_APP_TLS_DIR: ca.identityDir('operator') });
    expect(wrong.stderr).toContain(
      `SECURITY_MONKEY_APP_TLS_DIR: the certificate in ${ca.identityDir('operator')} is operator's; the probe needs app's`,
    );
    expect(wrong.code).toBe(2);
  });
});
