import { createServer, type AddressInfo } from 'node:net';
import { EDGE, SERVICE_NAMES, SERVICES } from '@streamplane/contracts';
import { ConfigError, EXIT_BAD_CONFIG, loadConfig } from '@streamplane/platform';
import { runUntilExit } from '@streamplane/testkit';
import { controlRoomConfigSchema } from '../src/config';
import { startInProcess } from './in-process';

const load = (env: NodeJS.ProcessEnv) => loadConfig(controlRoomConfigSchema, env);

/** The problems a configuration is refused with, one line each. */
function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('the control room’s configuration', () => {
  it('watches every service and the edge at their design ports on 127.0.0.1 by default', () => {
    const config = load({});
    expect(config.CONTROL_ROOM_TARGETS).toEqual([
      ...SERVICE_NAMES.map((name) => ({
        name,
        host: '127.0.0.1',
        port: SERVICES[name].port,
        metricsPort: SERVICES[name].metricsPort,
      })),
      { name: 'edge', host: '127.0.0.1', port: EDGE.httpPort, metricsPort: EDGE.metricsPort },
    ]);
    expect(config).toMatchObject({
      HTTP_HOST: '0.0.0.0',
      HTTP_PORT: 9400,
      OTLP_PORT: 9401,
      CONTROL_ROOM_POLL_MS: 1000,
      CONTROL_ROOM_WINDOW_MS: 10_000,
      CONTROL_ROOM_MAX_TRACES: 200,
      CONTROL_ROOM_MAX_SPANS: 20_000,
    });
    expect(config.CONTROL_ROOM_JAEGER_URL).toBeUndefined();
  });

  it('reads targets by name (a Service that resolves to every pod), by IPv4 and by IPv6 address', () => {
    const config = load({
      CONTROL_ROOM_TARGETS: ' catalog=catalog-instances:50051/9451, edge=[::1]:8080/9480 ,billing=10.1.2.3:1/2',
      CONTROL_ROOM_JAEGER_URL: 'http://127.0.0.1:16686/',
    });
    expect(config.CONTROL_ROOM_TARGETS).toEqual([
      { name: 'catalog', host: 'catalog-instances', port: 50051, metricsPort: 9451 },
      { name: 'edge', host: '::1', port: 8080, metricsPort: 9480 },
      { name: 'billing', host: '10.1.2.3', port: 1, metricsPort: 2 },
    ]);
    expect(config.CONTROL_ROOM_JAEGER_URL).toBe('http://127.0.0.1:16686');
  });

  it.each([
    [
      'catalog=127.0.0.1:50051/9451,ledger=127.0.0.1:1/2',
      'unknown component "ledger"; expected one of catalog, profiles, recommendations, playback-authorization, subtitles, billing, steering, edge',
    ],
    [
      'catalog=127.0.0.1:50051',
      'expected name=host:port/metricsPort separated by commas; "catalog=127.0.0.1:50051" is not',
    ],
    ['', 'expected name=host:port/metricsPort separated by commas; "" is not'],
    ['catalog=127.0.0.1:70000/9451', '"catalog=127.0.0.1:70000/9451": ports must be between 1 and 65535'],
    ['catalog=a:1/2,catalog=b:1/2', '"catalog" is listed twice'],
  ])('refuses CONTROL_ROOM_TARGETS=%j, naming the variable', (value, message) => {
    expect(problemsOf({ CONTROL_ROOM_TARGETS: value })).toEqual([
      `CONTROL_ROOM_TARGETS: ${message} (got ${JSON.stringify(value)})`,
    ]);
  });

  it('names every bad variable at once', () => {
    expect(
      problemsOf({
        HTTP_PORT: 'http',
        OTLP_PORT: '-1',
        CONTROL_ROOM_JAEGER_URL: 'jaeger',
        CONTROL_ROOM_POLL_MS: '10',
        CONTROL_ROOM_MAX_SPANS: 'lots',
      }),
    ).toEqual([
      'HTTP_PORT: expected a port number (got "http")',
      'OTLP_PORT: expected a port between 0 and 65535 (got "-1")',
      'CONTROL_ROOM_JAEGER_URL: expected an http(s) URL such as http://127.0.0.1:16686 (got "jaeger")',
      'CONTROL_ROOM_POLL_MS: expected a whole number between 100 and 60000 (got "10")',
      'CONTROL_ROOM_MAX_SPANS: expected a whole number between 1 and 1000000 (got "lots")',
    ]);
  });

  it('refuses a window too short to rate over two polls', () => {
    expect(problemsOf({ CONTROL_ROOM_POLL_MS: '1000', CONTROL_ROOM_WINDOW_MS: '1500' })).toEqual([
      'CONTROL_ROOM_WINDOW_MS: must span at least two polls (2 × CONTROL_ROOM_POLL_MS = 2000) (got "1500")',
    ]);
  });

  it.each(['HTTP_PORT', 'OTLP_PORT'])('names %s when its port is taken', async (variable) => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      await expect(startInProcess({ [variable]: String(port) })).rejects.toThrow(
        new ConfigError([`${variable}: port ${port} on 127.0.0.1 is already in use`]),
      );
    } finally {
      taken.close();
    }
  });

  it('stops the process with exit 78 and the variable named, before anything listens', async () => {
    const { code, stderr } = await runUntilExit('control-room', { CONTROL_ROOM_TARGETS: 'catalog=nowhere' });
    expect(code).toBe(EXIT_BAD_CONFIG);
    expect(stderr).toContain('control-room: invalid configuration:');
    expect(stderr).toContain('CONTROL_ROOM_TARGETS: expected name=host:port/metricsPort');
  });
});
