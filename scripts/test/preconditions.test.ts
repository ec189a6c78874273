import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { freePort } from '../free-port';
import { SERVICE_NAMES } from '@streamplane/contracts';
import { checkPreconditions, declaredDependencies, START_ORDER } from '../platform';
import { freePortBelowEphemeralRange, portInUseMessage } from '../ports';
import { parseStartArguments } from '../start';
import { FatalStartError } from '../supervisor';

/** What npm start checks before it starts anything, each failure in one line. */

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('before anything starts', () => {
  test('a taken port is named with the process holding it, in one line', async () => {
    const port = await freePort();
    const holder = await listen(port);
    try {
      expect(portInUseMessage(port)).toBe(`port ${port} is already in use by pid ${process.pid} (node)`);
      const ports = new Map([['recommendations' as const, { serving: port, metrics: await freePort() }]]);
      const refusal = await checkPreconditions(ports, {}).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(FatalStartError);
      expect((refusal as FatalStartError).message).toBe(
        `recommendations: port ${port} is already in use by pid ${process.pid} (node); stop it, or start with --port-offset N`,
      );
      expect((refusal as FatalStartError).message).not.toContain('\n');
    } finally {
      holder.close();
    }
  });

  test('the free ports a platform is given lie below the ephemeral range, where port-0 binds never land', async () => {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    for (let i = 0; i < 20; i++) {
      const port = await freePortBelowEphemeralRange();
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(low!);
    }
  });

  test('free ports pass', async () => {
    const ports = new Map([['catalog' as const, { serving: await freePort(), metrics: await freePort() }]]);
    await expect(checkPreconditions(ports, {})).resolves.toBeUndefined();
  });

  test('consul discovery without a reachable agent names the agent and what failed', async () => {
    const closed = await freePort();
    await expect(
      checkPreconditions(new Map(), { STREAMPLANE_DISCOVERY: 'consul', CONSUL_HTTP_ADDR: `127.0.0.1:${closed}` }),
    ).rejects.toThrow(
      new FatalStartError(
        'consul',
        `no Consul agent answers at 127.0.0.1:${closed} (ECONNREFUSED): start one, point CONSUL_HTTP_ADDR at it, or unset STREAMPLANE_DISCOVERY`,
      ),
    );
  });

  test('GRPC_PORT and METRICS_PORT are refused with the option that does what they meant', () => {
    expect(() => parseStartArguments([], { GRPC_PORT: 'eighty' })).toThrow(
      'GRPC_PORT is set, but npm start gives each service its own port: use --port-offset N to move them all',
    );
    expect(() => parseStartArguments([], { METRICS_PORT: '9000' })).toThrow(/METRICS_PORT is set/);
  });

  test('options are parsed and checked', () => {
    expect(parseStartArguments(['--port-offset', '100', '--json-logs'], {})).toEqual({
      portOffset: 100,
      jsonLogs: true,
    });
    expect(() => parseStartArguments(['--port-offset', 'ten'], {})).toThrow(
      '--port-offset takes a whole number from 0 to 10000 (got ten)',
    );
    expect(() => parseStartArguments(['--verbose'], {})).toThrow('unknown option --verbose');
  });
});

describe('start order', () => {
  test('lists every service of the registry, each after the services it calls', () => {
    expect([...START_ORDER].sort()).toEqual([...SERVICE_NAMES].sort());
    for (const service of START_ORDER) {
      for (const dependency of declaredDependencies(service)) {
        expect({ service, dependency, before: START_ORDER.indexOf(dependency) < START_ORDER.indexOf(service) }).toEqual(
          {
            service,
            dependency,
            before: true,
          },
        );
      }
    }
  });
});
