import { SERVICES, type ServiceName } from '@streamplane/contracts';
import { ScriptedServer } from '@streamplane/testkit';
import { grpcPlatformCalls } from '../load/platform-calls';

test('the load generator’s connection lets the platform send up to 1 MiB of answers before a WINDOW_UPDATE', async () => {
  // One channel carries every play of a run: at 64 KiB, a generator late with its WINDOW_UPDATEs held the
  // platform's grants while its refusals still arrived, and a three-times overload read as no goodput.
  const server = await ScriptedServer.start(SERVICES.catalog);
  const addresses = Object.fromEntries(
    (Object.keys(SERVICES) as ServiceName[]).map((name) => [name, server.address]),
  ) as Record<ServiceName, string>;
  const calls = grpcPlatformCalls(addresses);
  try {
    expect(await calls.call('catalog', 'GetTitle', { title_id: 'tt00001' })).toMatchObject({ code: 'OK' });
    const windows = await server.callerReceiveWindows();
    expect(windows).toHaveLength(1);
    expect(windows[0]).toBeGreaterThanOrEqual(1024 * 1024 - 64 * 1024);
  } finally {
    calls.close();
    server.stop();
  }
});
