import { status } from '@grpc/grpc-js';
import { createServer, type AddressInfo } from 'node:net';
import { SERVICES } from '@streamplane/contracts';
import {
  eventually,
  healthClient,
  testClient,
  runUntilExit,
  startServiceProcess,
  type LogLine,
  type ServiceProcess,
} from '@streamplane/testkit';

function waitForLogs(service: ServiceProcess, predicate: (line: LogLine) => boolean, count = 1): Promise<void> {
  return eventually(() => service.logs.filter(predicate).length >= count, `${count} matching log line(s)`);
}

describe('catalog process lifecycle', () => {
  it('refuses to start on bad configuration, naming each bad variable', async () => {
    const { code, stderr } = await runUntilExit('catalog', { GRPC_PORT: 'eighty', LOG_LEVEL: 'loud' });
    expect(code).toBe(78);
    expect(stderr).toMatch(/GRPC_PORT: expected a port number \(got "eighty"\)/);
    expect(stderr).toMatch(/LOG_LEVEL: expected one of debug, info, warn, error \(got "loud"\)/);
  });

  it('refuses to start on a port another process holds, in one line and with the configuration exit code', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', () => resolve()));
    const { port } = holder.address() as AddressInfo;
    try {
      const { code, stderr } = await runUntilExit('catalog', { GRPC_HOST: '127.0.0.1', GRPC_PORT: String(port) });
      expect(code).toBe(78);
      expect(stderr).toContain(`GRPC_PORT: port ${port} on 127.0.0.1 is already in use`);
      expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      holder.close();
    }
  });

  it('writes JSON log lines with service, level and message', async () => {
    const catalog = await startServiceProcess('catalog');
    try {
      const serving = catalog.logs.find((line) => line.msg === 'serving');
      expect(serving).toMatchObject({ service: 'catalog', level: 'info', port: catalog.port });
      expect(catalog.logs.every((line) => !line.unstructured)).toBe(true);
    } finally {
      await catalog.stop();
    }
  });

  it('on SIGTERM finishes every in-flight call, refuses new ones and exits 0', async () => {
    const catalog = await startServiceProcess('catalog', { STREAMPLANE_FAULTS: 'enabled', SHUTDOWN_DRAIN_MS: '20000' });
    const inFlightClient = testClient(SERVICES.catalog, catalog.address);
    const lateClient = testClient(SERVICES.catalog, catalog.address);
    try {
      // Slow calls (injected latency) that are certainly in flight when the signal arrives.
      const slowCalls = Array.from({ length: 5 }, (_, i) =>
        inFlightClient.call(
          'GetTitle',
          { title_id: `tt0000${i + 1}` },
          { metadata: { 'x-streamplane-fault': 'catalog=1500' } },
        ),
      );
      await waitForLogs(catalog, (line) => line.msg === 'injecting fault', 5);

      catalog.process.kill('SIGTERM');
      await waitForLogs(catalog, (line) => line.msg === 'draining');
      const refused = await lateClient.fail('GetTitle', { title_id: 'tt00001' });
      expect(refused.code).toBe(status.UNAVAILABLE);

      const results = await Promise.all(slowCalls);
      expect(results.map((title) => title.title_id)).toEqual(['tt00001', 'tt00002', 'tt00003', 'tt00004', 'tt00005']);
      expect(await catalog.exited).toBe(0);
      expect(catalog.logs.find((line) => line.msg === 'shutting down')).toMatchObject({ in_flight: 5 });
      expect(catalog.logs.find((line) => line.msg === 'stopped')).toMatchObject({ drain: 'drained' });
    } finally {
      inFlightClient.close();
      lateClient.close();
      await catalog.stop('SIGKILL');
    }
  });

  it('turns health NOT_SERVING before it stops accepting calls', async () => {
    const catalog = await startServiceProcess('catalog', { SHUTDOWN_DELAY_MS: '5000' });
    const health = healthClient(catalog.address);
    try {
      expect(await health.call('Check', { service: '' })).toEqual({ status: 'SERVING' });
      catalog.process.kill('SIGTERM');
      await waitForLogs(catalog, (line) => line.msg === 'shutting down');
      expect(await health.call('Check', { service: '' })).toEqual({ status: 'NOT_SERVING' });
      expect(await health.call('Check', { service: 'streamplane.catalog.v1.CatalogService' })).toEqual({
        status: 'NOT_SERVING',
      });
    } finally {
      health.close();
      await catalog.stop('SIGKILL');
    }
  });

  it('stops work whose deadline has passed', async () => {
    const catalog = await startServiceProcess('catalog', { STREAMPLANE_FAULTS: 'enabled' });
    const client = testClient(SERVICES.catalog, catalog.address);
    try {
      const error = await client.fail(
        'GetTitle',
        { title_id: 'tt00001' },
        { deadlineMs: 200, metadata: { 'x-streamplane-fault': 'catalog=3000' } },
      );
      expect(error.code).toBe(status.DEADLINE_EXCEEDED);
    } finally {
      client.close();
      await catalog.stop();
    }
  });
});
