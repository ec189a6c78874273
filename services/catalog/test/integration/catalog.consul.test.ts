import { ConsulDouble, eventually, startServiceProcess } from '@streamplane/testkit';

/** A real catalog process announcing itself to a Consul agent (the HTTP API double) and leaving again. */
describe('catalog with Consul discovery', () => {
  let consul: ConsulDouble;

  beforeEach(async () => {
    consul = await ConsulDouble.start();
  });

  afterEach(async () => {
    await consul.stop();
  });

  it('registers on start with a gRPC health check of its plaintext health port, and deregisters on SIGTERM', async () => {
    const catalog = await startServiceProcess('catalog', {
      STREAMPLANE_DISCOVERY: 'consul',
      CONSUL_HTTP_ADDR: consul.address,
      POD_IP: '127.0.0.1',
    });
    try {
      await eventually(() => consul.instances('catalog').length > 0, 'catalog registered');
      const [instance] = consul.instances('catalog');
      expect(instance).toMatchObject({ name: 'catalog', address: '127.0.0.1', port: catalog.port });
      expect(instance!.id).toContain(String(catalog.port));
      expect(instance!.check).toMatchObject({
        grpc: `127.0.0.1:${catalog.healthPort}/streamplane.catalog.v1.CatalogService`,
        interval: '5s',
        deregisterCriticalServiceAfter: '1m',
      });

      expect(await catalog.stop('SIGTERM')).toBe(0);
      expect(consul.instances('catalog')).toEqual([]);
      expect(consul.count('PUT', '/v1/agent/service/deregister/')).toBe(1);
      const order = catalog.logs.map((line) => line.msg);
      expect(order.indexOf('deregistered from consul')).toBeLessThan(order.indexOf('draining'));
    } finally {
      await catalog.stop('SIGKILL');
    }
  });

  it('keeps serving and retries registration while Consul is unreachable', async () => {
    await consul.goDown();
    const catalog = await startServiceProcess('catalog', {
      STREAMPLANE_DISCOVERY: 'consul',
      CONSUL_HTTP_ADDR: consul.address,
      POD_IP: '127.0.0.1',
    });
    try {
      for (
        let polls = 0;
        polls < 500 && !catalog.logs.some((line) => line.msg === 'registration failed; retrying');
        polls++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(catalog.logs.some((line) => line.msg === 'registration failed; retrying')).toBe(true);
      await consul.comeBack();
      for (let polls = 0; polls < 1000 && consul.instances('catalog').length === 0; polls++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(consul.instances('catalog')).toHaveLength(1);
    } finally {
      await catalog.stop();
    }
  });

  it('registers again when the agent forgets it (an agent restarted without state)', async () => {
    const catalog = await startServiceProcess('catalog', {
      STREAMPLANE_DISCOVERY: 'consul',
      CONSUL_HTTP_ADDR: consul.address,
      POD_IP: '127.0.0.1',
      CONSUL_REGISTRATION_CHECK_MS: '100',
    });
    try {
      await eventually(() => consul.instances('catalog').length === 1, 'catalog registered');
      const [first] = consul.instances('catalog');
      consul.deregister(first!.id);
      expect(consul.instances('catalog')).toEqual([]);
      await eventually(() => consul.instances('catalog').length === 1, 'catalog registered again');
      expect(consul.instances('catalog')[0]).toMatchObject({ id: first!.id, port: catalog.port });
      await eventually(
        () => catalog.logs.some((line) => line.msg === 'consul agent forgot this instance; registering again'),
        'the re-registration in the log',
      );
      expect(consul.count('PUT', '/v1/agent/service/register')).toBe(2);
    } finally {
      await catalog.stop();
    }
  });
});
