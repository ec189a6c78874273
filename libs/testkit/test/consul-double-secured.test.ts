import { request as httpsRequest } from 'node:https';
import { issueCertificate, newCertificateAuthority } from '@streamplane/tools';
import { ConsulDouble, type ConsulDoubleOptions } from '../src/consul-double';

/** The double's ACL and HTTPS behaviour, as a Consul with default_policy "deny" and ports.https answers. */
const TOKEN = 'b1946ac9-2d5e-4c1b-8f3a-6a7c0d9e1f24';
const REGISTRATION = { ID: 'catalog-1', Name: 'catalog', Address: '127.0.0.1', Port: 50051 };

const doubles: ConsulDouble[] = [];

afterEach(async () => {
  await Promise.all(doubles.splice(0).map((double) => double.stop()));
});

async function startDouble(options: ConsulDoubleOptions = {}): Promise<ConsulDouble> {
  const double = await ConsulDouble.start({ maxWaitMs: 500, jitter: false, ...options });
  doubles.push(double);
  return double;
}

function send(double: ConsulDouble, method: string, path: string, token?: string, body?: unknown): Promise<Response> {
  return fetch(`${double.url}${path}`, {
    method,
    headers: token === undefined ? {} : { 'X-Consul-Token': token },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function answer(response: Response): Promise<{ status: number; text: string; filtered: string | null }> {
  return {
    status: response.status,
    text: await response.text(),
    filtered: response.headers.get('X-Consul-Results-Filtered-By-ACLs'),
  };
}

describe('ConsulDouble with an ACL token', () => {
  it('does everything for requests that carry the token, in the header or as ?token=', async () => {
    const consul = await startDouble({ aclToken: TOKEN });
    expect((await send(consul, 'PUT', '/v1/agent/service/register', TOKEN, REGISTRATION)).status).toBe(200);
    const health = await send(consul, 'GET', `/v1/health/service/catalog?token=${TOKEN}`);
    expect(await health.json()).toHaveLength(1);
    expect((await send(consul, 'PUT', '/v1/agent/service/deregister/catalog-1', TOKEN)).status).toBe(200);
    expect(consul.requests.map((request) => request.token)).toEqual([TOKEN, TOKEN, TOKEN]);
  });

  it('refuses an unknown token on every endpoint with 403 "ACL not found"', async () => {
    const consul = await startDouble({ aclToken: TOKEN });
    consul.register({ id: 'catalog-1', name: 'catalog', address: '127.0.0.1', port: 50051 });
    for (const [method, path] of [
      ['PUT', '/v1/agent/service/register'],
      ['PUT', '/v1/agent/service/deregister/catalog-1'],
      ['GET', '/v1/agent/services'],
      ['GET', '/v1/health/service/catalog?passing'],
    ] as const) {
      const body = method === 'PUT' && path.endsWith('register') ? REGISTRATION : undefined;
      expect(await answer(await send(consul, method, path, 'wrong', body))).toEqual({
        status: 403,
        text: 'ACL not found',
        filtered: null,
      });
    }
    expect(consul.instances('catalog')).toHaveLength(1);
  });

  it('refuses writes without a token as Consul does, and hides what the anonymous token may not read', async () => {
    const consul = await startDouble({ aclToken: TOKEN, nodeName: 'consul-double' });
    consul.register({ id: 'catalog-1', name: 'catalog', address: '127.0.0.1', port: 50051, node: 'consul-double' });
    expect(await answer(await send(consul, 'PUT', '/v1/agent/service/register', undefined, REGISTRATION))).toEqual({
      status: 403,
      text: `Permission denied: anonymous token lacks permission 'service:write' on "catalog"`,
      filtered: null,
    });
    expect((await send(consul, 'PUT', '/v1/agent/service/deregister/catalog-1')).status).toBe(403);
    expect(await answer(await send(consul, 'GET', '/v1/health/service/catalog?passing'))).toEqual({
      status: 200,
      text: '[]',
      filtered: 'true',
    });
    expect(await answer(await send(consul, 'GET', '/v1/agent/services'))).toEqual({
      status: 200,
      text: '{}',
      filtered: 'true',
    });
    expect(consul.instances('catalog')).toHaveLength(1);
  });
});

describe('ConsulDouble over HTTPS', () => {
  const ca = newCertificateAuthority('Consul double CA');
  const certificate = issueCertificate(ca, 'consul', { ipAddresses: ['127.0.0.1'] });

  function get(double: ConsulDouble, trusted: string): Promise<number | string> {
    return new Promise((resolve) => {
      const request = httpsRequest(`${double.url}/v1/agent/services`, { ca: trusted }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      request.end();
    });
  }

  it('serves https:// with the given certificate, to clients that trust its CA only', async () => {
    const consul = await startDouble({ tls: { cert: certificate.certPem, key: certificate.keyPem } });
    expect(consul.url).toBe(`https://127.0.0.1:${consul.port}`);
    expect(await get(consul, ca.certPem)).toBe(200);
    expect(await get(consul, newCertificateAuthority('Another CA').certPem)).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('comes back on https after goDown()', async () => {
    const consul = await startDouble({ tls: { cert: certificate.certPem, key: certificate.keyPem } });
    await consul.goDown();
    await consul.comeBack();
    expect(await get(consul, ca.certPem)).toBe(200);
  });
});
