import { SERVICES } from '@streamplane/contracts';
import {
  eventually,
  startServiceProcess,
  testClient,
  type ServiceProcess,
  type TestClient,
} from '@streamplane/testkit';
import { freePort } from '@streamplane/tools';

interface State {
  services: Array<{ name: string; address: string; health: string; requestsPerS: number | null }>;
  edges: Array<{ from: string; to: string; requestsPerS: number | null; errorShare: number | null }>;
  breakers: Array<{ service: string; breaker: string; state: string; requests: number }>;
  traces: Array<{ traceId: string }>;
}

/**
 * The built control room watching real catalog and subtitles processes, which export their traces to it:
 * their health, the calls on the declared edge and subtitles' breaker show in /api/state, the trace of a
 * call made with a known trace id comes back across both services, and a killed catalog turns UNREACHABLE.
 */
describe('the control room process watching catalog and subtitles', () => {
  const started: ServiceProcess[] = [];
  let catalog: ServiceProcess;
  let room: ServiceProcess;
  let subtitles: TestClient;

  const state = async (): Promise<State> => (await (await fetch(`http://${room.address}/api/state`)).json()) as State;
  const healthOf = async (name: string) => (await state()).services.find((service) => service.name === name)?.health;

  beforeAll(async () => {
    const otlpPort = await freePort();
    const exportToRoom = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}` };
    catalog = await startServiceProcess('catalog', exportToRoom);
    started.push(catalog);
    const subtitlesProcess = await startServiceProcess('subtitles', { ...exportToRoom, CATALOG_ADDR: catalog.address });
    started.push(subtitlesProcess);
    room = await startServiceProcess('control-room', {
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      OTLP_PORT: String(otlpPort),
      CONTROL_ROOM_POLL_MS: '250',
      CONTROL_ROOM_WINDOW_MS: '5000',
      CONTROL_ROOM_TARGETS: [catalog, subtitlesProcess]
        .map((process) => `${process.name}=${process.address}/${process.metricsPort}`)
        .join(','),
    });
    started.push(room);
    subtitles = testClient(SERVICES.subtitles, subtitlesProcess.address);
  }, 120_000);

  afterAll(async () => {
    subtitles?.close();
    // Each stopped even if another stop fails.
    await Promise.allSettled(started.reverse().map((process) => process.stop()));
  });

  it('shows both services SERVING at their addresses, and the one declared edge between them', async () => {
    await eventually(async () => (await healthOf('catalog')) === 'SERVING', 'catalog shows SERVING');
    await eventually(async () => (await healthOf('subtitles')) === 'SERVING', 'subtitles shows SERVING');
    const { services, edges } = await state();
    expect(services.map(({ name, address }) => [name, address])).toEqual([
      ['catalog', catalog.address],
      ['subtitles', started[1]!.address],
    ]);
    expect(edges.map(({ from, to }) => `${from}>${to}`)).toEqual(['subtitles>catalog']);
  });

  it('counts the calls on that edge and in subtitles’ breaker, and keeps the trace of one of them', async () => {
    const traceId = 'c0ffee00'.repeat(4);
    for (let n = 1; n <= 20; n++) {
      const titleId = `tt${String(n).padStart(5, '0')}`;
      const metadata = n === 1 ? { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } : undefined;
      await subtitles.call('ListTracks', { title_id: titleId }, { metadata });
    }
    await eventually(async () => {
      const { edges, breakers } = await state();
      const breaker = breakers.find((row) => row.service === 'subtitles' && row.breaker === 'catalog/GetTitle');
      return (edges[0]?.requestsPerS ?? 0) > 0 && breaker?.state === 'closed' && breaker.requests > 0;
    }, 'the calls show on the edge and in the breaker row');
    expect((await state()).edges[0]!.errorShare).toBe(0);

    let services: string[] = [];
    await eventually(async () => {
      const response = await fetch(`http://${room.address}/api/traces/${traceId}`);
      if (response.status !== 200) return false;
      const { spans } = (await response.json()) as { spans: Array<{ service: string }> };
      services = [...new Set(spans.map((span) => span.service))].sort();
      return services.length === 2;
    }, 'the trace arrived from both services');
    expect(services).toEqual(['catalog', 'subtitles']);
    expect((await state()).traces.map((trace) => trace.traceId)).toContain(traceId);
  });

  it('turns a killed service UNREACHABLE, while its caller stays watched', async () => {
    await catalog.stop('SIGKILL');
    await eventually(async () => (await healthOf('catalog')) === 'UNREACHABLE', 'catalog shows UNREACHABLE');
    expect(await healthOf('subtitles')).not.toBe('UNREACHABLE');
  });
});
