import { status } from '@grpc/grpc-js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BreakerRegistry } from '../src/client/breakers';
import { ResilientClient } from '../src/client/resilient-client';
import { ConfigError, loadConfig, platformConfigSchema } from '../src/config/config';
import { ConsulDiscovery } from '../src/discovery/consul-discovery';
import { consulClient, loadConsulConnection, type ConsulConnection } from '../src/discovery/consul-connection';
import { stopConsulWatchers } from '../src/discovery/consul-resolver';
import { ConsulWatcher } from '../src/discovery/consul-watcher';
import { Logger } from '../src/logging/logger';
import { loadProtos } from '../src/proto/proto-loader';
import { SERVICES, type ClientOf } from '@streamplane/contracts';
import { ConsulDouble, ok, ScriptedServer, type ConsulDoubleOptions } from '@streamplane/testkit';
import { issueCertificate, newCertificateAuthority } from '@streamplane/tools';

/**
 * Discovery against a secured Consul (the test double with an ACL token and HTTPS): the token on every
 * request, a refused token reported as such and not retried in a loop, the agent's certificate checked
 * against CONSUL_CACERT, the catalog-sync mode that registers nothing, and the start-time checks.
 */
const TOKEN = '3f1c9a52-7d4e-4b8a-9c61-0e2f5a7b8d90';
const silent = new Logger('test', 'error', {}, () => undefined);
const catalog = SERVICES.catalog;

const doubles: ConsulDouble[] = [];
const servers: ScriptedServer[] = [];
let directory: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'consul-secured-'));
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

afterEach(async () => {
  stopConsulWatchers();
  for (const server of servers.splice(0)) server.stop();
  for (const double of doubles.splice(0)) await double.stop();
});

async function startConsul(options: ConsulDoubleOptions = {}): Promise<ConsulDouble> {
  const double = await ConsulDouble.start({ maxWaitMs: 200, jitter: false, initialStatus: 'passing', ...options });
  doubles.push(double);
  return double;
}

async function startCatalog(): Promise<ScriptedServer> {
  const server = await ScriptedServer.start(catalog);
  server.otherwise(ok({ title_id: 'tt00001' }));
  servers.push(server);
  return server;
}

function discoveryWith(env: NodeJS.ProcessEnv): ConsulDiscovery {
  return new ConsulDiscovery(
    loadConfig(platformConfigSchema, { STREAMPLANE_DISCOVERY: 'consul', POD_IP: '127.0.0.1', ...env }),
    silent,
  );
}

/** One call to catalog through `target`, resolved by the consul:/// resolver. */
async function callCatalog(target: string): Promise<unknown> {
  const breakers = new BreakerRegistry();
  const client: ClientOf<'catalog'> = new ResilientClient(catalog, target, loadProtos([catalog.protoFile]).definition, {
    breakers,
    logger: silent,
    options: { maxAttempts: 1, defaultBudgetMs: 5_000 },
  });
  try {
    return await client.call('GetTitle', { title_id: 'tt00001' }).then(
      (answer) => answer,
      (error: unknown) => error,
    );
  } finally {
    client.close();
    breakers.close();
  }
}

function file(name: string, contents: string): string {
  const path = join(directory, name);
  writeFileSync(path, contents);
  return path;
}

describe('discovery with a Consul ACL token', () => {
  it('sends the token with every request: registers, resolves and deregisters', async () => {
    const consul = await startConsul({ aclToken: TOKEN });
    const server = await startCatalog();
    const discovery = discoveryWith({ CONSUL_HTTP_ADDR: consul.address, CONSUL_HTTP_TOKEN: TOKEN });

    await discovery.register(catalog, server.port, server.port);
    expect(consul.instances('catalog')).toEqual([expect.objectContaining({ address: '127.0.0.1', port: server.port })]);
    expect(await callCatalog(discovery.target(catalog))).toMatchObject({ title_id: 'tt00001' });
    expect(await discovery.ensureRegistered()).toBe(false);
    await discovery.deregister();
    discovery.close();

    expect(consul.instances('catalog')).toEqual([]);
    expect(consul.count('GET', '/v1/health/service/catalog')).toBeGreaterThan(0);
    expect(consul.requests.filter((request) => request.token !== TOKEN)).toEqual([]);
  });

  it('reads the token from CONSUL_HTTP_TOKEN_FILE, trimmed', async () => {
    const consul = await startConsul({ aclToken: TOKEN });
    const server = await startCatalog();
    const discovery = discoveryWith({
      CONSUL_HTTP_ADDR: consul.address,
      CONSUL_HTTP_TOKEN_FILE: file('token', `${TOKEN}\n`),
    });
    await discovery.register(catalog, server.port, server.port);
    expect(consul.instances('catalog')).toHaveLength(1);
  });

  it('says a wrong token was refused, for registration and for resolution', async () => {
    const consul = await startConsul({ aclToken: TOKEN });
    const discovery = discoveryWith({ CONSUL_HTTP_ADDR: consul.address, CONSUL_HTTP_TOKEN: 'not-the-token' });
    await expect(discovery.register(catalog, 50_000, 50_000)).rejects.toThrow(
      `Consul refused the ACL token for registering catalog at ${consul.address} (ACL not found): Consul knows no such token`,
    );
    expect(await callCatalog(discovery.target(catalog))).toMatchObject({
      code: status.UNAVAILABLE,
      details: expect.stringContaining(
        `no instance of catalog known to Consul at ${consul.address}: Consul refused the ACL token for the instances of catalog`,
      ),
    });
  });

  it('says no token was sent when the agent wants one', async () => {
    const consul = await startConsul({ aclToken: TOKEN });
    const discovery = discoveryWith({ CONSUL_HTTP_ADDR: consul.address });
    await expect(discovery.register(catalog, 50_000, 50_000)).rejects.toThrow(
      /Consul refused the ACL token for registering catalog .*\(Permission denied: anonymous token lacks permission 'service:write' on "catalog"\): no token was sent: set CONSUL_HTTP_TOKEN/,
    );
  });

  it('retries a refused watch only at its slowest backoff, logging an error that names the token', async () => {
    const consul = await startConsul({ aclToken: TOKEN });
    const lines: string[] = [];
    const logger = new Logger('test', 'warn', {}, (line) => lines.push(line));
    const connection: ConsulConnection = { agent: consul.address, secure: false, token: 'not-the-token' };
    const unreachable: string[] = [];
    const watcher = new ConsulWatcher(consulClient(connection), 'catalog', logger, {
      waitSeconds: 1,
      minIntervalMs: 1,
      errorBackoffBaseMs: 1,
      errorBackoffCapMs: 400,
    });
    watcher.on('unreachable', (reason: string) => unreachable.push(reason));
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(consul.count('GET', '/v1/health/service/catalog')).toBe(1);
      expect(unreachable).toEqual([expect.stringContaining('Consul refused the ACL token')]);
      expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
        expect.objectContaining({
          level: 'error',
          msg: 'consul refused the ACL token; keeping last known instances',
          retry_in_ms: 400,
        }),
      ]);
    } finally {
      watcher.stop();
    }
  });
});

describe('a watch whose token may not read the instances', () => {
  it('warns once that Consul hid them, naming the permissions the token lacks', async () => {
    const consul = await startConsul({ aclToken: TOKEN });
    consul.register({ id: 'catalog-1', name: 'catalog', address: '127.0.0.1', port: 50051 });
    const lines: string[] = [];
    const logger = new Logger('test', 'warn', {}, (line) => lines.push(line));
    const watcher = new ConsulWatcher(consulClient({ agent: consul.address, secure: false }), 'catalog', logger, {
      waitSeconds: 1,
      minIntervalMs: 1,
      errorBackoffBaseMs: 1,
      errorBackoffCapMs: 10,
    });
    try {
      await consul.waitForParked(1, 'catalog');
      consul.register({ id: 'catalog-2', name: 'catalog', address: '127.0.0.1', port: 50052 });
      await consul.waitForParked(1, 'catalog');
      expect(watcher.current()).toEqual([]);
      expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
        expect.objectContaining({
          level: 'warn',
          msg: 'consul hid instances from this ACL token',
          remedy: 'the token needs service:read on catalog and node:read on its nodes',
        }),
      ]);
    } finally {
      watcher.stop();
    }
  });
});

describe('discovery over HTTPS', () => {
  const ca = newCertificateAuthority('Consul test CA');
  const otherCa = newCertificateAuthority('Some other CA');
  const byAddress = issueCertificate(ca, 'consul', { ipAddresses: ['127.0.0.1'] });
  const byName = issueCertificate(ca, 'consul', { dnsNames: ['consul.internal'] });

  it('reaches an agent whose certificate chains to CONSUL_CACERT', async () => {
    const consul = await startConsul({ tls: { cert: byAddress.certPem, key: byAddress.keyPem } });
    const server = await startCatalog();
    const discovery = discoveryWith({ CONSUL_HTTP_ADDR: consul.url, CONSUL_CACERT: file('ca.pem', ca.certPem) });
    await discovery.register(catalog, server.port, server.port);
    expect(await callCatalog(discovery.target(catalog))).toMatchObject({ title_id: 'tt00001' });
    expect(consul.instances('catalog')).toHaveLength(1);
  });

  it('checks the certificate against CONSUL_TLS_SERVER_NAME, with CONSUL_HTTP_SSL=true', async () => {
    const consul = await startConsul({ tls: { cert: byName.certPem, key: byName.keyPem } });
    const discovery = discoveryWith({
      CONSUL_HTTP_ADDR: consul.address,
      CONSUL_HTTP_SSL: 'true',
      CONSUL_CACERT: file('ca-by-name.pem', ca.certPem),
      CONSUL_TLS_SERVER_NAME: 'consul.internal',
    });
    await discovery.register(catalog, 50_000, 50_000);
    expect(consul.instances('catalog')).toHaveLength(1);
  });

  it('refuses an agent whose certificate another CA signed', async () => {
    const consul = await startConsul({ tls: { cert: byAddress.certPem, key: byAddress.keyPem } });
    const discovery = discoveryWith({
      CONSUL_HTTP_ADDR: consul.url,
      CONSUL_CACERT: file('other-ca.pem', otherCa.certPem),
    });
    await expect(discovery.register(catalog, 50_000, 50_000)).rejects.toThrow(/certificate/);
    expect(consul.instances('catalog')).toEqual([]);
  });
});

describe('discovery without self-registration (consul-k8s catalog sync)', () => {
  it('never registers nor deregisters, and resolves the synced service under its Consul name', async () => {
    const consul = await startConsul();
    const server = await startCatalog();
    // What catalog sync registers for the Kubernetes Service catalog in namespace streamplane.
    consul.register({ id: 'catalog-10-0-0-7', name: 'catalog-streamplane', address: '127.0.0.1', port: server.port });
    const discovery = discoveryWith({
      CONSUL_HTTP_ADDR: consul.address,
      STREAMPLANE_CONSUL_REGISTRATION: 'none',
      STREAMPLANE_CONSUL_SERVICE_NAME: '{service}-streamplane',
    });

    await discovery.register(catalog, server.port, server.port);
    expect(await discovery.ensureRegistered()).toBe(false);
    expect(discovery.target(catalog)).toBe('consul:///catalog-streamplane');
    expect(await callCatalog(discovery.target(catalog))).toMatchObject({ title_id: 'tt00001' });
    await discovery.deregister();

    expect(consul.count('PUT', '/v1/agent/service/')).toBe(0);
    expect(consul.count('GET', '/v1/agent/services')).toBe(0);
    expect(consul.instances('catalog-streamplane')).toHaveLength(1);
  });
});

describe('the Consul variables, checked at start', () => {
  const connectionOf = (env: NodeJS.ProcessEnv) => () => loadConsulConnection(loadConfig(platformConfigSchema, env));
  const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
    try {
      connectionOf(env)();
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  it('refuses an unreadable CONSUL_CACERT, or one that holds no certificate, naming the variable', () => {
    expect(
      problemsOf({ CONSUL_HTTP_ADDR: 'https://consul:8501', CONSUL_CACERT: join(directory, 'missing.pem') }),
    ).toEqual([`CONSUL_CACERT: cannot read ${join(directory, 'missing.pem')} (ENOENT)`]);
    const notPem = file('not.pem', 'hello');
    expect(problemsOf({ CONSUL_HTTP_ADDR: 'https://consul:8501', CONSUL_CACERT: notPem })).toEqual([
      `CONSUL_CACERT: ${notPem} holds no PEM certificate`,
    ]);
  });

  it('refuses TLS settings for a plain-http agent, and a contradictory CONSUL_HTTP_SSL', () => {
    expect(
      problemsOf({ CONSUL_HTTP_ADDR: 'consul:8500', CONSUL_CACERT: '/ca.pem', CONSUL_TLS_SERVER_NAME: 'x' }),
    ).toEqual([
      expect.stringMatching(/^CONSUL_CACERT: is set, but Consul is reached over plain http/),
      expect.stringMatching(/^CONSUL_TLS_SERVER_NAME: is set, but Consul is reached over plain http/),
    ]);
    expect(problemsOf({ CONSUL_HTTP_ADDR: 'https://consul:8501', CONSUL_HTTP_SSL: 'false' })).toEqual([
      'CONSUL_HTTP_SSL: is false, but CONSUL_HTTP_ADDR (https://consul:8501) asks for https',
    ]);
  });

  it('refuses two token sources, and an unreadable or empty token file', () => {
    expect(problemsOf({ CONSUL_HTTP_TOKEN: TOKEN, CONSUL_HTTP_TOKEN_FILE: file('t1', TOKEN) })).toEqual([
      'CONSUL_HTTP_TOKEN_FILE: set only one of CONSUL_HTTP_TOKEN and CONSUL_HTTP_TOKEN_FILE',
    ]);
    const empty = file('empty', ' \n');
    expect(problemsOf({ CONSUL_HTTP_TOKEN_FILE: empty })).toEqual([`CONSUL_HTTP_TOKEN_FILE: ${empty} is empty`]);
    expect(problemsOf({ CONSUL_HTTP_TOKEN_FILE: '/no/such/token' })).toEqual([
      'CONSUL_HTTP_TOKEN_FILE: cannot read /no/such/token (ENOENT)',
    ]);
  });

  it('takes https from the address or CONSUL_HTTP_SSL, and the token as given', () => {
    expect(connectionOf({ CONSUL_HTTP_ADDR: 'https://10.0.0.1:8501', CONSUL_HTTP_TOKEN: TOKEN })()).toEqual({
      agent: '10.0.0.1:8501',
      secure: true,
      token: TOKEN,
    });
    expect(connectionOf({ CONSUL_HTTP_ADDR: 'http://consul:8500' })()).toEqual({ agent: 'consul:8500', secure: false });
    expect(connectionOf({ CONSUL_HTTP_ADDR: 'consul:8501', CONSUL_HTTP_SSL: 'true' })().secure).toBe(true);
  });

  it('checks the formats of the variables, never echoing a token', () => {
    expect(() =>
      loadConfig(platformConfigSchema, {
        CONSUL_HTTP_ADDR: 'ftp://consul',
        STREAMPLANE_CONSUL_REGISTRATION: 'sync',
        STREAMPLANE_CONSUL_SERVICE_NAME: 'streamplane-catalog',
        CONSUL_HTTP_TOKEN: ' ',
      }),
    ).toThrow(
      new ConfigError([
        'CONSUL_HTTP_ADDR: expected host:port, http://host:port or https://host:port (got "ftp://consul")',
        'CONSUL_HTTP_TOKEN: must not be empty (got 1 bytes, not shown)',
        'STREAMPLANE_CONSUL_REGISTRATION: expected one of agent, none (got "sync")',
        'STREAMPLANE_CONSUL_SERVICE_NAME: expected a name holding {service} once, e.g. {service}-streamplane (letters, digits, ".", "_" or "-" around it) (got "streamplane-catalog")',
      ]),
    );
  });
});
