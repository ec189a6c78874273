import { ConfigError, loadConfig, platformConfigSchema } from '../src/config/config';
import { MIN_SECRET_BYTES, withSecrets } from '../src/config/secrets';

const LOCAL = 'a-local-development-secret-of-34-b';
const OF_32_BYTES = 'x'.repeat(MIN_SECRET_BYTES);
const OF_31_BYTES = 'x'.repeat(MIN_SECRET_BYTES - 1);

/** A fresh schema per test: each has its own once-only warning. */
function schemaOf() {
  return withSecrets(platformConfigSchema, {
    component: 'some-service',
    variables: ['STREAMPLANE_AUTH_SECRET', 'STREAMPLANE_CDN_SECRET'],
    localDevelopmentSecret: LOCAL,
  });
}

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(schemaOf(), env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

let stdout: jest.SpyInstance;
const warnings = () =>
  stdout.mock.calls
    .map(([line]) => JSON.parse(String(line)) as Record<string, unknown>)
    .filter((line) => line.level === 'warn');

beforeEach(() => {
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(() => stdout.mockRestore());

describe('withSecrets with NODE_ENV=production', () => {
  const production = { NODE_ENV: 'production' };

  it('refuses the local-development secret, unset or set, naming each variable', () => {
    expect(problemsOf({ ...production, STREAMPLANE_CDN_SECRET: LOCAL })).toEqual([
      expect.stringMatching(/^STREAMPLANE_AUTH_SECRET: is the local-development secret.*\(it is not set\)$/),
      expect.stringMatching(/^STREAMPLANE_CDN_SECRET: is the local-development secret/),
    ]);
  });

  it('refuses a secret shorter than 32 bytes, counting UTF-8 bytes, not characters', () => {
    // 16 two-byte characters are 32 bytes: accepted; 31 one-byte ones are not.
    const twoByteCharacters = 'é'.repeat(MIN_SECRET_BYTES / 2);
    expect(
      problemsOf({ ...production, STREAMPLANE_AUTH_SECRET: twoByteCharacters, STREAMPLANE_CDN_SECRET: OF_32_BYTES }),
    ).toEqual([]);
    expect(
      problemsOf({ ...production, STREAMPLANE_AUTH_SECRET: OF_31_BYTES, STREAMPLANE_CDN_SECRET: OF_32_BYTES }),
    ).toEqual([expect.stringMatching(/^STREAMPLANE_AUTH_SECRET: must be at least 32 bytes, not 31/)]);
  });

  it('names the secrets along with every other bad variable', () => {
    expect(problemsOf({ ...production, GRPC_PORT: 'eighty', STREAMPLANE_CDN_SECRET: OF_32_BYTES })).toEqual([
      expect.stringMatching(/^GRPC_PORT: /),
      expect.stringMatching(/^STREAMPLANE_AUTH_SECRET: is the local-development secret/),
    ]);
  });

  it('accepts secrets of their own, 32 bytes or more, and logs nothing', () => {
    const config = loadConfig(schemaOf(), {
      ...production,
      STREAMPLANE_AUTH_SECRET: OF_32_BYTES,
      STREAMPLANE_CDN_SECRET: `${OF_32_BYTES}!`,
    });
    expect(config).toMatchObject({ STREAMPLANE_AUTH_SECRET: OF_32_BYTES, STREAMPLANE_CDN_SECRET: `${OF_32_BYTES}!` });
    expect(stdout).not.toHaveBeenCalled();
  });
});

describe('withSecrets in local development', () => {
  it.each([{}, { NODE_ENV: 'development' }, { NODE_ENV: 'test' }])(
    'uses the local-development secret for unset variables (%j)',
    (env) => {
      expect(loadConfig(schemaOf(), env)).toMatchObject({
        STREAMPLANE_AUTH_SECRET: LOCAL,
        STREAMPLANE_CDN_SECRET: LOCAL,
      });
    },
  );

  it('warns once, however often it is parsed, naming the variables that hold the local-development secret', () => {
    const schema = schemaOf();
    loadConfig(schema, { STREAMPLANE_AUTH_SECRET: OF_32_BYTES });
    loadConfig(schema, {});
    expect(warnings()).toEqual([
      expect.objectContaining({
        service: 'some-service',
        msg: expect.stringContaining('local-development secret'),
        variables: ['STREAMPLANE_CDN_SECRET'],
      }),
    ]);
  });

  it('does not warn when every secret is its own, nor under LOG_LEVEL=error', () => {
    loadConfig(schemaOf(), { STREAMPLANE_AUTH_SECRET: OF_32_BYTES, STREAMPLANE_CDN_SECRET: OF_32_BYTES });
    loadConfig(schemaOf(), { LOG_LEVEL: 'error' });
    expect(warnings()).toEqual([]);
  });

  it('still refuses a secret shorter than 32 bytes, which would fail on the first deploy', () => {
    expect(problemsOf({ STREAMPLANE_CDN_SECRET: OF_31_BYTES })).toEqual([
      expect.stringMatching(/^STREAMPLANE_CDN_SECRET: must be at least 32 bytes, not 31/),
    ]);
  });

  it('refuses a local-development secret shorter than the rule', () => {
    expect(() =>
      withSecrets(platformConfigSchema, { component: 'x', variables: ['S'], localDevelopmentSecret: OF_31_BYTES }),
    ).toThrow(/at least 32 bytes/);
  });
});
