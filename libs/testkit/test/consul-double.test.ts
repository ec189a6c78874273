import Consul from 'consul';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { types } from 'node:util';
import { ConsulDouble, parseGoDuration, type ConsulDoubleOptions } from '../src/consul-double';

interface HealthEntry {
  Node: { Node: string; Address: string };
  Service: { ID: string; Service: string; Address: string; Port: number; Tags: string[]; Meta: unknown };
  Checks: { CheckID: string; Name: string; Status: string; ServiceID: string; ServiceName: string; Output: string }[];
}

const doubles: ConsulDouble[] = [];
const clients: Consul[] = [];

afterEach(async () => {
  for (const consul of clients.splice(0)) consul.destroy();
  await Promise.all(doubles.splice(0).map((double) => double.stop()));
});

async function startDouble(options: ConsulDoubleOptions = {}): Promise<ConsulDouble> {
  const double = await ConsulDouble.start({ maxWaitMs: 2_000, jitter: false, ...options });
  doubles.push(double);
  return double;
}

function clientFor(double: ConsulDouble): Consul {
  const consul = new Consul({ host: '127.0.0.1', port: double.port });
  clients.push(consul);
  return consul;
}

/** includeResponse only works with an EventEmitter ctx: papi ignores a plain-object ctx (see the test below). */
function includeResponse(): EventEmitter & { includeResponse: true } {
  return Object.assign(new EventEmitter(), { includeResponse: true as const });
}

/** consul.health.service as the watch loop calls it: returns [response, body]. */
async function healthService(
  consul: Consul,
  options: Record<string, unknown>,
): Promise<[IncomingMessage, HealthEntry[]]> {
  return (await consul.health.service({ ...options, ctx: includeResponse() } as never)) as unknown as [
    IncomingMessage,
    HealthEntry[],
  ];
}

function url(double: ConsulDouble, path: string): string {
  return `http://${double.address}${path}`;
}

async function getHealth(double: ConsulDouble, query: string): Promise<{ response: Response; body: HealthEntry[] }> {
  const response = await fetch(url(double, `/v1/health/service/${query}`));
  return { response, body: response.status === 200 ? ((await response.json()) as HealthEntry[]) : [] };
}

function put(double: ConsulDouble, path: string, body?: unknown): Promise<Response> {
  return fetch(url(double, path), {
    method: 'PUT',
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/**
 * The error of a consul-client call that fails on the network. In plain Node the call rejects; under jest it
 * RESOLVES with the Error instead, because papi tells errors from values with `instanceof Error` and Node's
 * socket errors come from another realm than the test's `Error`. Either way, this returns the error.
 */
async function networkFailure(call: Promise<unknown>): Promise<NodeJS.ErrnoException> {
  const outcome = await call.then(
    (value) => value,
    (error: unknown) => error,
  );
  expect(types.isNativeError(outcome)).toBe(true);
  return outcome as NodeJS.ErrnoException;
}

function track<T>(promise: Promise<T>): { settled: boolean } {
  const state = { settled: false };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

const CATALOG_ID = 'catalog-10.0.0.7-50051';
const CATALOG_GRPC = '10.0.0.7:50051/streamplane.catalog.v1.CatalogService';

/** The registration Streamplane's discovery sends through the consul client. */
function registerCatalog(consul: Consul, overrides: Record<string, unknown> = {}): Promise<unknown> {
  return consul.agent.service.register({
    id: CATALOG_ID,
    name: 'catalog',
    address: '10.0.0.7',
    port: 50051,
    tags: ['grpc', 'streamplane'],
    meta: { version: '0.1.0' },
    check: {
      name: 'gRPC health of streamplane.catalog.v1.CatalogService',
      grpc: CATALOG_GRPC,
      grpcusetls: false,
      interval: '5s',
      timeout: '2s',
      deregistercriticalserviceafter: '1m',
    },
    ...overrides,
  });
}

describe('ConsulDouble: agent service registration', () => {
  it('round-trips a registration made by the consul client, in Consul PascalCase', async () => {
    const double = await startDouble();
    const consul = clientFor(double);
    const before = double.index;

    await registerCatalog(consul);

    expect(double.index).toBeGreaterThan(before);
    const [instance] = double.instances('catalog');
    expect(instance).toMatchObject({
      id: CATALOG_ID,
      name: 'catalog',
      address: '10.0.0.7',
      port: 50051,
      tags: ['grpc', 'streamplane'],
      meta: { version: '0.1.0' },
      node: 'consul-double',
      local: true,
      status: 'critical', // Consul's initial status for a new check
      check: {
        checkId: `service:${CATALOG_ID}`,
        name: 'gRPC health of streamplane.catalog.v1.CatalogService',
        type: 'grpc',
        grpc: CATALOG_GRPC,
        grpcUseTls: false,
        interval: '5s',
        timeout: '2s',
        deregisterCriticalServiceAfter: '1m',
        status: 'critical',
      },
    });
    // Exactly the JSON the client put on the wire.
    expect(instance!.raw).toEqual({
      ID: CATALOG_ID,
      Name: 'catalog',
      Address: '10.0.0.7',
      Port: 50051,
      Tags: ['grpc', 'streamplane'],
      Meta: { version: '0.1.0' },
      Check: {
        Name: 'gRPC health of streamplane.catalog.v1.CatalogService',
        GRPC: CATALOG_GRPC,
        GRPCUseTLS: false,
        Interval: '5s',
        Timeout: '2s',
        DeregisterCriticalServiceAfter: '1m',
      },
    });
    expect(double.requests).toEqual([{ method: 'PUT', path: '/v1/agent/service/register', query: {} }]);
    expect(double.count('PUT', '/v1/agent/service/register')).toBe(1);

    const services = (await consul.agent.service.list()) as Record<string, Record<string, unknown>>;
    expect(services).toEqual({
      [CATALOG_ID]: expect.objectContaining({
        ID: CATALOG_ID,
        Service: 'catalog',
        Address: '10.0.0.7',
        Port: 50051,
        Tags: ['grpc', 'streamplane'],
        Meta: { version: '0.1.0' },
      }),
    });

    const [, all] = await healthService(consul, { service: 'catalog' });
    expect(all).toHaveLength(1);
    expect(all[0]!.Node).toMatchObject({ Node: 'consul-double', Address: '127.0.0.1' });
    expect(all[0]!.Service).toMatchObject({ ID: CATALOG_ID, Service: 'catalog', Address: '10.0.0.7', Port: 50051 });
    expect(all[0]!.Checks.map((check) => [check.CheckID, check.Status])).toEqual([
      ['serfHealth', 'passing'],
      [`service:${CATALOG_ID}`, 'critical'],
    ]);
    const [, passing] = await healthService(consul, { service: 'catalog', passing: true });
    expect(passing).toEqual([]);
  });

  it('honours the check Status in the body, and the initialStatus option', async () => {
    const double = await startDouble({ initialStatus: 'passing' });
    const consul = clientFor(double);

    await registerCatalog(consul);
    await registerCatalog(consul, {
      id: 'catalog-2',
      check: { name: 'warn', grpc: 'x:1', interval: '5s', timeout: '1s', status: 'warning' },
    });

    expect(double.instances('catalog').map((instance) => [instance.id, instance.status])).toEqual([
      [CATALOG_ID, 'passing'],
      ['catalog-2', 'warning'],
    ]);
  });

  it('keeps a check status on re-registration, skips identical writes, and honours ?replace-existing-checks', async () => {
    const double = await startDouble();
    const consul = clientFor(double);
    await registerCatalog(consul);
    double.setStatus(CATALOG_ID, 'passing');
    const index = double.index;

    await registerCatalog(consul);
    expect(double.index).toBe(index); // nothing changed: Consul's catalog skips identical writes
    expect(double.instances('catalog')[0]!.status).toBe('passing');

    await registerCatalog(consul, { port: 50052 });
    expect(double.index).toBeGreaterThan(index);
    expect(double.instances('catalog')[0]).toMatchObject({ port: 50052, status: 'passing' });

    const check = (id: string): Record<string, string> => ({ CheckID: id, TTL: '10s' });
    expect(
      (await put(double, '/v1/agent/service/register', { Name: 'multi', Checks: [check('a'), check('b')] })).status,
    ).toBe(200);
    expect((await put(double, '/v1/agent/service/register', { Name: 'multi', Checks: [check('a')] })).status).toBe(200);
    expect(double.instances('multi')[0]!.checks.map((c) => c.checkId)).toEqual(['a', 'b']);
    const replace = await put(double, '/v1/agent/service/register?replace-existing-checks', {
      Name: 'multi',
      Checks: [check('a')],
    });
    expect(replace.status).toBe(200);
    expect(double.instances('multi')[0]!.checks.map((c) => c.checkId)).toEqual(['a']);
    expect(double.requests.at(-1)).toEqual({
      method: 'PUT',
      path: '/v1/agent/service/register',
      query: { 'replace-existing-checks': '' },
    });
  });

  it('decodes like Consul (case-insensitive keys) and rejects what Consul rejects', async () => {
    const double = await startDouble();
    const cases: [unknown, RegExp][] = [
      ['{not json', /^Request decode failed/],
      [{ Port: 1 }, /^Missing service name$/],
      [{ Name: 'x', Port: '80' }, /^Request decode failed/],
      [{ Name: 'x', Address: '0.0.0.0' }, /^Invalid service address$/],
      [{ Name: 'x', Check: { GRPC: 'x:1' } }, /^Invalid check: Interval must be > 0/],
      [{ Name: 'x', Check: { GRPC: 'x:1', Interval: 'soon' } }, /^Request decode failed: time: invalid duration/],
      [
        { Name: 'x', Check: { TTL: '5s', Status: 'sick' } },
        /^Status for checks must 'passing', 'warning', 'critical'$/,
      ],
    ];
    for (const [body, message] of cases) {
      const response = await put(double, '/v1/agent/service/register', body);
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(message);
    }
    expect(double.instances()).toEqual([]);

    const lower = await put(double, '/v1/agent/service/register', { name: 'lower', port: 7, check: { ttl: '5s' } });
    expect(lower.status).toBe(200);
    expect(double.instances()).toEqual([
      expect.objectContaining({ id: 'lower', name: 'lower', port: 7, address: '', status: 'critical' }),
    ]);
  });
});

describe('ConsulDouble: deregistration', () => {
  it('deregisters through the client, and answers 404 "Unknown service ID" like Consul', async () => {
    const double = await startDouble();
    const consul = clientFor(double);
    await registerCatalog(consul);
    const index = double.index;

    await consul.agent.service.deregister(CATALOG_ID);
    expect(double.instances()).toEqual([]);
    expect(double.index).toBeGreaterThan(index);
    expect(double.count('PUT', '/v1/agent/service/deregister/')).toBe(1);

    const error = (await consul.agent.service.deregister('nope').catch((e: unknown) => e)) as { statusCode?: number };
    expect(error).toBeInstanceOf(Error);
    expect(error.statusCode).toBe(404);
    const response = await put(double, '/v1/agent/service/deregister/nope');
    expect(response.status).toBe(404);
    expect(await response.text()).toBe(
      'Unknown service ID "nope". Ensure that the service ID is passed, not the service name.',
    );
  });

  it('treats register() instances as another agent: in health, not in /v1/agent/services, not deregistrable here', async () => {
    const double = await startDouble();
    const consul = clientFor(double);
    double.register({ id: 'catalog-remote', name: 'catalog', address: '10.0.0.9', port: 6000 });
    await registerCatalog(consul, { id: 'catalog-local', address: undefined });

    const [, entries] = await healthService(consul, { service: 'catalog', passing: true });
    expect(
      entries.map((entry) => [entry.Service.ID, entry.Node.Node, entry.Node.Address, entry.Service.Address]),
    ).toEqual([['catalog-remote', 'node-catalog-remote', '10.0.0.9', '10.0.0.9']]);
    const [, all] = await healthService(consul, { service: 'catalog' });
    // Registered without an address: Service.Address is '' and clients fall back to Node.Address.
    expect(all.find((entry) => entry.Service.ID === 'catalog-local')).toMatchObject({
      Node: { Node: 'consul-double', Address: '127.0.0.1' },
      Service: { Address: '' },
    });
    expect(Object.keys((await consul.agent.service.list()) as object)).toEqual(['catalog-local']);
    expect((await put(double, '/v1/agent/service/deregister/catalog-remote')).status).toBe(404);

    double.deregister('catalog-remote');
    expect(double.instances().map((instance) => instance.id)).toEqual(['catalog-local']);
    expect(() => double.deregister('catalog-remote')).toThrow(/unknown service ID/);
  });
});

describe('ConsulDouble: health and blocking queries', () => {
  it('filters with ?passing the way Consul parses it (warning is not passing)', async () => {
    const double = await startDouble();
    double.register({ id: 'a', name: 'svc', address: '10.0.0.1', port: 1, tags: ['blue'] });
    double.register({ id: 'b', name: 'svc', address: '10.0.0.2', port: 2, status: 'warning' });
    double.register({ id: 'c', name: 'svc', address: '10.0.0.3', port: 3, status: 'critical', tags: ['blue'] });
    const ids = async (query: string): Promise<string[]> =>
      (await getHealth(double, query)).body.map((entry) => entry.Service.ID);

    expect(await ids('svc')).toEqual(['a', 'b', 'c']);
    expect(await ids('svc?passing')).toEqual(['a']);
    expect(await ids('svc?passing=true')).toEqual(['a']);
    expect(await ids('svc?passing=1')).toEqual(['a']);
    expect(await ids('svc?passing=false')).toEqual(['a', 'b', 'c']);
    expect(await ids('svc?tag=blue')).toEqual(['a', 'c']);
    const bad = await getHealth(double, 'svc?passing=maybe');
    expect(bad.response.status).toBe(400);
    expect(await bad.response.text()).toBe('Invalid value for ?passing');

    const [, entries] = await healthService(clientFor(double), { service: 'svc', passing: true });
    expect(entries.map((entry) => entry.Service.ID)).toEqual(['a']);
    expect(double.requests.at(-1)).toEqual({
      method: 'GET',
      path: '/v1/health/service/svc',
      query: { passing: 'true' },
    });
  });

  it('always sends X-Consul-Index >= 1 and the Consul query headers', async () => {
    const double = await startDouble();
    const { response, body } = await getHealth(double, 'nothing-registered');

    expect(response.status).toBe(200);
    expect(body).toEqual([]);
    expect(Number(response.headers.get('x-consul-index'))).toBeGreaterThanOrEqual(1);
    expect(response.headers.get('x-consul-knownleader')).toBe('true');
    expect(response.headers.get('x-consul-lastcontact')).toBe('0');
    expect(response.headers.get('content-type')).toBe('application/json');

    // Through the client, the header is on the response that includeResponse returns.
    double.register({ id: 'a', name: 'svc', address: '10.0.0.1', port: 1 });
    const consul = clientFor(double);
    const [res, entries] = await healthService(consul, { service: 'svc' });
    expect(Number(res.headers['x-consul-index'])).toBe(double.indexFor('svc'));
    expect(entries).toHaveLength(1);
    // Pitfall: a plain-object ctx is ignored by papi, so the client returns the body alone.
    const plain = (await consul.health.service({
      service: 'svc',
      ctx: { includeResponse: true },
    } as never)) as unknown[];
    expect(plain).toHaveLength(1);
    expect(plain[0]).toHaveProperty('Service');
  });

  it('parks a blocking query until setStatus changes the service, then answers with the new index', async () => {
    const double = await startDouble();
    const consul = clientFor(double);
    await registerCatalog(consul);
    const [first, initial] = await healthService(consul, { service: 'catalog', passing: true });
    expect(initial).toEqual([]);
    const index = first.headers['x-consul-index'] as string;

    const pending = healthService(consul, { service: 'catalog', passing: true, index, wait: '5s' });
    const state = track(pending);
    await double.waitForParked(1, 'catalog');
    expect(state.settled).toBe(false);
    expect(double.requests.at(-1)).toEqual({
      method: 'GET',
      path: '/v1/health/service/catalog',
      query: { passing: 'true', index, wait: '5s' },
    });

    double.setStatus(CATALOG_ID, 'passing');
    const [response, entries] = await pending;

    expect(Number(response.headers['x-consul-index'])).toBeGreaterThan(Number(index));
    expect(entries.map((entry) => entry.Service.ID)).toEqual([CATALOG_ID]);
    expect(double.blockingQueries).toEqual([
      // wait=5s, capped by maxWaitMs (2 s in these tests)
      { service: 'catalog', index: Number(index), waitMs: 2_000, outcome: 'changed' },
    ]);
  });

  it('answers a blocking query with the same index once wait elapses', async () => {
    const double = await startDouble();
    double.register({ id: 'a', name: 'svc', address: '10.0.0.1', port: 1 });
    const index = double.indexFor('svc');

    const { response, body } = await getHealth(double, `svc?passing&index=${index}&wait=20ms`);

    expect(Number(response.headers.get('x-consul-index'))).toBe(index);
    expect(body.map((entry) => entry.Service.ID)).toEqual(['a']);
    expect(double.blockingQueries).toEqual([{ service: 'svc', index, waitMs: 20, outcome: 'timeout' }]);
  });

  it('does not wake a blocking query for changes to other services, but does when its last instance goes', async () => {
    const double = await startDouble();
    double.register({ id: 'a', name: 'svc', address: '10.0.0.1', port: 1 });
    const index = double.indexFor('svc');
    const pending = getHealth(double, `svc?index=${index}&wait=5s`);
    const state = track(pending);
    await double.waitForParked(1, 'svc');

    double.register({ id: 'b', name: 'other', address: '10.0.0.2', port: 2 });
    double.setStatus('b', 'critical');
    expect(double.parked('svc')).toBe(1);
    expect(state.settled).toBe(false);

    double.deregister('a');
    const { response, body } = await pending;
    expect(body).toEqual([]);
    expect(Number(response.headers.get('x-consul-index'))).toBeGreaterThan(index);
  });

  it('caps wait at maxWaitMs and validates index and wait as Consul does', async () => {
    const double = await startDouble({ maxWaitMs: 30 });
    const index = double.indexFor('svc');

    const capped = await getHealth(double, `svc?index=${index}&wait=10m`);
    expect(capped.response.status).toBe(200);
    expect(double.blockingQueries).toEqual([{ service: 'svc', index, waitMs: 30, outcome: 'timeout' }]);

    const badWait = await getHealth(double, `svc?index=${index}&wait=10`);
    expect(badWait.response.status).toBe(400);
    expect(await badWait.response.text()).toBe('Invalid wait time');
    const badIndex = await getHealth(double, 'svc?index=-1');
    expect(badIndex.response.status).toBe(400);
    expect(await badIndex.response.text()).toBe('Invalid index');
  });

  it('parses Go durations', () => {
    expect(parseGoDuration('5s')).toBe(5_000);
    expect(parseGoDuration('100ms')).toBe(100);
    expect(parseGoDuration('1m')).toBe(60_000);
    expect(parseGoDuration('1m30s')).toBe(90_000);
    expect(parseGoDuration('1.5h')).toBe(5_400_000);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('10')).toBeUndefined();
    expect(parseGoDuration('5 s')).toBeUndefined();
    expect(parseGoDuration('')).toBeUndefined();
  });

  it('resetIndex makes the index go backwards and releases parked queries at once', async () => {
    const double = await startDouble();
    const consul = clientFor(double);
    double.register({ id: 'a', name: 'svc', address: '10.0.0.1', port: 1 });
    double.setStatus('a', 'critical');
    double.setStatus('a', 'passing');
    const high = double.indexFor('svc');
    expect(high).toBeGreaterThan(2);

    const pending = healthService(consul, { service: 'svc', index: String(high), wait: '5s' });
    await double.waitForParked(1, 'svc');
    double.resetIndex(2);
    const [reset] = await pending;
    expect(Number(reset.headers['x-consul-index'])).toBe(2);
    expect(double.blockingQueries.at(-1)?.outcome).toBe('reset');

    // A client that keeps its old, higher index now waits for nothing: it only gets wait timeouts...
    const stale = await getHealth(double, `svc?index=${high}&wait=20ms`);
    expect(Number(stale.response.headers.get('x-consul-index'))).toBe(2);
    expect(double.blockingQueries.at(-1)).toMatchObject({ index: high, outcome: 'timeout' });
    // ...while one that resets to 0 gets an immediate answer, and follows changes from there.
    const fresh = await getHealth(double, 'svc?index=0');
    expect(Number(fresh.response.headers.get('x-consul-index'))).toBe(2);
    double.setStatus('a', 'warning');
    expect(double.indexFor('svc')).toBe(3);
  });

  it('goDown refuses connections and cuts parked queries; comeBack serves the same state on the same port', async () => {
    const double = await startDouble();
    const consul = clientFor(double);
    double.register({ id: 'a', name: 'svc', address: '10.0.0.1', port: 1 });
    const port = double.port;
    const index = double.indexFor('svc');

    const parked = healthService(consul, { service: 'svc', passing: true, index: String(index), wait: '5s' });
    await double.waitForParked(1, 'svc');
    await double.goDown();

    expect((await networkFailure(parked)).message).toMatch(/socket hang up|ECONNRESET/);
    expect(double.blockingQueries.at(-1)?.outcome).toBe('closed');
    const refused = (await fetch(url(double, '/v1/health/service/svc')).catch((e: unknown) => e)) as Error & {
      cause?: { code?: string };
    };
    expect(refused.cause?.code).toBe('ECONNREFUSED');
    expect((await networkFailure(healthService(consul, { service: 'svc' }))).code).toBe('ECONNREFUSED');

    await double.comeBack();
    expect(double.port).toBe(port);
    const [response, entries] = await healthService(consul, { service: 'svc', passing: true });
    expect(Number(response.headers['x-consul-index'])).toBe(index);
    expect(entries.map((entry) => entry.Service.ID)).toEqual(['a']);
  });

  it('stop() closes parked blocking queries', async () => {
    const double = await startDouble();
    const index = double.indexFor('svc');
    const pending = fetch(url(double, `/v1/health/service/svc?index=${index}&wait=5s`));
    await double.waitForParked(1);

    await double.stop();

    await expect(pending).rejects.toThrow();
    expect(double.parked()).toBe(0);
    await expect(double.comeBack()).rejects.toThrow(/stopped/);
  });

  it('answers 404 for unknown paths and 405 (with Allow) for wrong methods', async () => {
    const double = await startDouble();

    expect((await fetch(url(double, '/v1/kv/some/key'))).status).toBe(404);
    const wrong = await fetch(url(double, '/v1/agent/service/register'));
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('OPTIONS,PUT');
    expect(await wrong.text()).toBe('method GET not allowed');
    expect((await put(double, '/v1/health/service/svc')).status).toBe(405);
    expect((await put(double, '/v1/agent/services')).status).toBe(405);
    expect(double.count('GET', '/v1/')).toBe(2);
    expect(double.count('PUT', '/v1/')).toBe(2);
  });
});
