import { loadConfig, platformConfigSchema, staticAddressSchema } from '../src/config/config';
import { createDiscovery } from '../src/discovery/discovery';
import { Logger } from '../src/logging/logger';
import { SERVICES } from '@streamplane/contracts';

describe('static discovery', () => {
  const logger = new Logger('test', 'error', {}, () => undefined);

  it('dials the design port on 127.0.0.1 by default', () => {
    const discovery = createDiscovery(loadConfig(platformConfigSchema, {}), logger);
    expect(discovery.target(SERVICES.catalog)).toBe('dns:///127.0.0.1:50051');
    expect(discovery.target(SERVICES['playback-authorization'])).toBe('dns:///127.0.0.1:50054');
  });

  it('dials <SERVICE>_ADDR when it is set', () => {
    const env = { CATALOG_ADDR: 'catalog.internal:6000', PLAYBACK_AUTHORIZATION_ADDR: '10.0.0.7:50054' };
    const addresses = loadConfig(staticAddressSchema(['catalog', 'playback-authorization']), env);
    const discovery = createDiscovery(loadConfig(platformConfigSchema, env), logger, addresses);
    expect(discovery.target(SERVICES.catalog)).toBe('dns:///catalog.internal:6000');
    expect(discovery.target(SERVICES['playback-authorization'])).toBe('dns:///10.0.0.7:50054');
  });

  it('rejects a malformed address at start, naming the variable', () => {
    expect(() => loadConfig(staticAddressSchema(['billing']), { BILLING_ADDR: 'billing' })).toThrow(
      /BILLING_ADDR: expected host:port/,
    );
  });

  it('accepts Consul’s own http:// form of CONSUL_HTTP_ADDR', () => {
    expect(loadConfig(platformConfigSchema, { CONSUL_HTTP_ADDR: 'http://consul:8500' }).CONSUL_HTTP_ADDR).toBe(
      'consul:8500',
    );
  });
});
