import { ConsulDouble } from '@streamplane/testkit';
import { instancesOf, loadFaultRuleToolConfig } from '../chaos/fault-rule-instances';

/**
 * `npm run chaos -- latency|error|list|clear` finds a service's instances through Consul as the services
 * do: the same ACL token, the same service name mapping, and Consul's refusal of a token said as such.
 */

const TOKEN = 'operator-token-0123456789';

describe('fault rule instances through Consul', () => {
  let consul: ConsulDouble;

  beforeAll(async () => {
    consul = await ConsulDouble.start({ aclToken: TOKEN });
    consul.register({ id: 'catalog-a', name: 'catalog', address: '10.0.0.7', port: 50051 });
    consul.register({ id: 'billing-a', name: 'billing-streamplane', address: '10.0.0.8', port: 50056 });
  });

  afterAll(async () => {
    await consul?.stop();
  });

  const configWith = (env: Record<string, string>) =>
    loadFaultRuleToolConfig({
      STREAMPLANE_DISCOVERY: 'consul',
      CONSUL_HTTP_ADDR: consul.address,
      ...env,
    });

  test('with the token: every passing instance', async () => {
    await expect(instancesOf('catalog', configWith({ CONSUL_HTTP_TOKEN: TOKEN }), {})).resolves.toEqual([
      { service: 'catalog', address: '10.0.0.7:50051' },
    ]);
  });

  test("under the service's name in Consul (STREAMPLANE_CONSUL_SERVICE_NAME)", async () => {
    const config = configWith({ CONSUL_HTTP_TOKEN: TOKEN, STREAMPLANE_CONSUL_SERVICE_NAME: '{service}-streamplane' });
    await expect(instancesOf('billing', config, {})).resolves.toEqual([
      { service: 'billing', address: '10.0.0.8:50056' },
    ]);
  });

  test('a token Consul does not know is refused, and said to be', async () => {
    await expect(instancesOf('catalog', configWith({ CONSUL_HTTP_TOKEN: 'not-the-token' }), {})).rejects.toThrow(
      `Consul refused the ACL token for the instances of catalog at ${consul.address} (ACL not found)`,
    );
  });
});
