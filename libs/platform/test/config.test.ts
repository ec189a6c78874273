import { z } from 'zod';
import { ConfigError, env, loadConfig, platformConfigSchema } from '../src/config/config';

describe('loadConfig', () => {
  const schema = platformConfigSchema.extend({ CATALOG_SIZE: env.int(1, 100_000).default(2000) });

  it('applies defaults when nothing is set', () => {
    const config = loadConfig(schema, {});
    expect(config).toMatchObject({
      GRPC_HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      STREAMPLANE_FAULTS: 'disabled',
      CATALOG_SIZE: 2000,
    });
    expect(config.GRPC_PORT).toBeUndefined();
  });

  it('coerces numbers from strings', () => {
    expect(loadConfig(schema, { GRPC_PORT: '0', CATALOG_SIZE: '50' })).toMatchObject({
      GRPC_PORT: 0,
      CATALOG_SIZE: 50,
    });
  });

  it('never echoes a refused secret or a password in a store URL, only what is wrong with it', () => {
    const withSecrets = schema.extend({
      STREAMPLANE_AUTH_SECRET: z.string().min(32),
      DATABASE_URL: z.string().startsWith('postgresql://'),
    });
    const refusal = () =>
      loadConfig(withSecrets, { STREAMPLANE_AUTH_SECRET: 'hunter2-short', DATABASE_URL: 'pg://app:s3cret@db:5432/x' });
    expect(refusal).toThrow(ConfigError);
    expect(refusal).toThrow(
      'STREAMPLANE_AUTH_SECRET: Too small: expected string to have >=32 characters (got 13 bytes, not shown)',
    );
    expect(refusal).toThrow('(got "pg://app:***@db:5432/x")');
    expect(refusal).not.toThrow(/hunter2|s3cret/);
  });

  it('reports every bad variable by name, with what it got', () => {
    let caught: unknown;
    try {
      loadConfig(schema, { GRPC_PORT: 'eighty', LOG_LEVEL: 'loud', CATALOG_SIZE: '0' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.find((p) => p.startsWith('GRPC_PORT:'))).toMatch(/port.*got "eighty"/);
    expect(problems.find((p) => p.startsWith('LOG_LEVEL:'))).toMatch(/debug, info, warn, error.*got "loud"/);
    expect(problems.find((p) => p.startsWith('CATALOG_SIZE:'))).toMatch(/between 1 and 100000/);
  });

  it('rejects ports out of range', () => {
    expect(() => loadConfig(schema, { GRPC_PORT: '70000' })).toThrow(/GRPC_PORT: expected a port between 0 and 65535/);
  });
});
