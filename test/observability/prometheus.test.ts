import { get } from 'node:http';
import { createServer, type Server } from 'node:net';
import { SERVICES, type ServiceName } from '@streamplane/contracts';
import { staticAddressVariable } from '@streamplane/platform';
import { LOCAL_DEVELOPMENT_SECRET, signAccountToken } from '@streamplane/streaming';
import {
  describeWhenInstalled,
  eventually,
  startServiceProcess,
  testClient,
  type ServiceProcess,
  type TestClient,
} from '@streamplane/testkit';
import {
  ALERTS_FILE,
  PROMETHEUS_INSTALL_HINT,
  alertingRules,
  asGrafanaSendsIt,
  dashboardQueries,
  panelQuery,
} from './monitoring-files';
import { startPrometheus, type InstantSample, type PrometheusServer } from './prometheus-server';

/**
 * The dashboards and alerts against a real Prometheus scraping a small real platform every second: the play
 * path (playback-authorization with profiles, billing, catalog and subtitles; steering is a port that drops
 * every connection, so plays degrade to the origin and the platform has client errors to show) and the edge.
 * Prometheus parses and evaluates every dashboard query and rule, SPS counts the plays, the error shares are
 * numbers, and the ServiceNotServing expression sees a service going down and the edge losing catalog.
 */

// In place of Grafana's $__rate_interval (4 scrapes): a window that holds the plays for as long as the test
// may wait for every process to be scraped once more.
const RATE_INTERVAL = '1m';
const PLAYS = 8;
/** The gRPC services started, all on the play path. */
const PLAY_PATH = ['billing', 'catalog', 'playback-authorization', 'profiles', 'subtitles'];
const ACCOUNT = 'acct-0001';
const PLAY = {
  profile_id: `${ACCOUNT}-p1`,
  title_id: 'tt00001',
  device: { device_id: 'tv-1', max_height: 1080, supports_hdr: false, codecs: ['h264'] },
  client: { ip: '203.0.113.7', country: 'US', asn: 20250 },
};

interface Grant {
  playback_session_id: string;
  cdn_urls: { url: string }[];
  degraded_features: string[];
}

/** A TCP port that accepts connections and closes them at once: a dependency that is down, held by the test. */
async function droppingEveryConnection(): Promise<{ server: Server; address: string }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, address: `127.0.0.1:${(server.address() as { port: number }).port}` };
}

/** GET through the edge, for the appliance `url` names (its Host), as a player does. */
function fetchFromEdge(edgePort: number, url: URL): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(
      { host: '127.0.0.1', port: edgePort, path: url.pathname + url.search, headers: { host: url.host } },
      (response) => {
        let body = '';
        response.setEncoding('latin1');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    ).on('error', reject);
  });
}

const byJob = (samples: InstantSample[]) =>
  Object.fromEntries(samples.map((sample) => [sample.metric.job, sample.value]));

describeWhenInstalled('prometheus', PROMETHEUS_INSTALL_HINT, 'the dashboards and alerts on a real Prometheus', () => {
  const started: ServiceProcess[] = [];
  let steering: Server | undefined;
  let prometheus: PrometheusServer | undefined;
  let playback: TestClient | undefined;
  let edge: ServiceProcess;

  async function start(service: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
    const running = await startServiceProcess(service, { LOG_LEVEL: 'info', ...env });
    started.push(running);
    return running;
  }

  const address = (name: ServiceName) => started.find((running) => running.name === name)!.address;
  const addressesOf = (...names: ServiceName[]) =>
    Object.fromEntries(names.map((name) => [staticAddressVariable(name), address(name)]));

  beforeAll(async () => {
    const down = await droppingEveryConnection();
    steering = down.server;
    const steeringAddress = { [staticAddressVariable('steering')]: down.address };
    await start('catalog');
    await Promise.all([
      start('profiles', addressesOf('catalog')),
      start('billing'),
      start('subtitles', addressesOf('catalog')),
    ]);
    await start('playback-authorization', {
      ...addressesOf('profiles', 'billing', 'catalog', 'subtitles'),
      ...steeringAddress,
      // Long enough to read its health at 0 from its metrics before it exits.
      SHUTDOWN_DELAY_MS: '3000',
    });
    edge = await start('edge', {
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      ...addressesOf('catalog'),
      ...steeringAddress,
    });
    playback = testClient(SERVICES['playback-authorization'], address('playback-authorization'));
    prometheus = await startPrometheus(
      started.map(({ name, metricsPort }) => ({ job: name, metricsPort })),
      [ALERTS_FILE],
    );
  }, 120_000);

  afterAll(async () => {
    playback?.close();
    // Each stopped even if another stop fails.
    await Promise.allSettled([prometheus?.stop(), ...started.map((running) => running.stop())]);
    await new Promise((resolve) => (steering ? steering.close(resolve) : resolve(undefined)));
  });

  const query = (expr: string) => prometheus!.query(asGrafanaSendsIt(expr, RATE_INTERVAL));

  it('scrapes every process, each reporting itself SERVING', async () => {
    const jobs = started.map((running) => running.name).sort();
    await eventually(
      async () => Object.keys(byJob(await query('streamplane_health_serving == 1'))).length === jobs.length,
      'every process scraped once',
    );
    expect(byJob(await query('up'))).toEqual(Object.fromEntries(jobs.map((job) => [job, 1])));
  });

  /** One play: a grant, its stop, and the grant's origin URL through the edge (the manifest, one segment twice). */
  async function play(): Promise<void> {
    const metadata = { authorization: `Bearer ${signAccountToken(ACCOUNT, LOCAL_DEVELOPMENT_SECRET)}` };
    const grant = await playback!.call<Grant>('AuthorizePlayback', PLAY, { metadata });
    expect(grant.degraded_features).toContain('steering');
    await playback!.call('StopPlayback', { playback_session_id: grant.playback_session_id }, { metadata });
    const url = new URL(grant.cdn_urls[0]!.url);
    const manifest = await fetchFromEdge(edge.port, url);
    expect(manifest.status).toBe(200);
    const rendition = /<Representation[^>]*\bid="([^"]+)"/.exec(manifest.body)![1];
    const segment = new URL(`${url.pathname}/${rendition}/1.m4s${url.search}`, url);
    for (const fetched of [1, 2]) {
      expect({ fetched, status: (await fetchFromEdge(edge.port, segment)).status }).toEqual({ fetched, status: 200 });
    }
  }

  it('counts the plays as stream starts per second, and shows error shares and the hit ratio as numbers', async () => {
    // A counter is exported from its first increment on, and rate() sees no increase in a series' first
    // sample: the other plays come once every process has been scraped after the first one.
    await play();
    await eventually(async () => {
      const jobs = (await query('group by (job) (rpc_server_duration_count or streamplane_edge_cache_lookups_total)'))
        .map((sample) => sample.metric.job)
        .sort();
      return JSON.stringify(jobs) === JSON.stringify(started.map((running) => running.name).sort());
    }, 'the first play scraped from every process');
    for (let plays = 1; plays < PLAYS; plays++) await play();

    const read = async () => ({
      sps: (await query(panelQuery('Stream starts per second')))[0]?.value,
      failed: (await query(panelQuery('Stream-start failures (SLO: 99.5 % succeed)')))[0]?.value,
      served: byJob(await query(panelQuery('Server-fault share'))),
      attempts: await query(panelQuery('Attempt server-fault share')),
      hitRatio: (await query(panelQuery('Hit ratio')))[0]?.value,
    });
    let shown = await read();
    await eventually(
      async () => {
        shown = await read();
        // Before a process's first scrape after the plays, its rates are 0 and its shares 0 / 0.
        const numbers = [shown.sps, shown.hitRatio, ...PLAY_PATH.map((job) => shown.served[job])];
        return numbers.every(Number.isFinite) && shown.sps! > 0;
      },
      'every process scraped after the plays',
      300,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; the dashboards show ${JSON.stringify(shown)}`);
    });

    expect(shown.failed).toBe(0);
    expect(shown.served).toEqual(Object.fromEntries(PLAY_PATH.map((job) => [job, 0])));
    // Every attempt at steering met UNAVAILABLE (the dropped connections); catalog answered.
    const share = (target: string) =>
      shown.attempts.find(({ metric }) => metric.job === 'playback-authorization' && metric.target === target)?.value;
    expect({ steering: share('steering'), catalog: share('catalog') }).toEqual({ steering: 1, catalog: 0 });
    // The one miss was the first play's, before the window's first sample: every segment since was a hit.
    expect(shown.hitRatio).toBe(1);
  });

  it('parses and evaluates every dashboard query', async () => {
    const queries = dashboardQueries();
    const outcomes = await Promise.all(
      queries.map(async ({ where, expr }) => ({
        where,
        error: await query(expr).then(
          () => undefined,
          (error: Error) => error.message,
        ),
      })),
    );
    expect(outcomes.filter((outcome) => outcome.error !== undefined)).toEqual([]);
  });

  it('loads the rules and evaluates every one of them without error, the SLI at 0 after good plays', async () => {
    interface LoadedRule {
      name: string;
      health: string;
      lastError?: string;
      lastEvaluation: string;
    }
    const loaded = async () =>
      (await prometheus!.api<{ groups: { rules: LoadedRule[] }[] }>('rules')).groups.flatMap((group) => group.rules);
    await eventually(
      async () => (await loaded()).every((rule) => !rule.lastEvaluation.startsWith('0001')),
      'every rule evaluated once',
    );
    const rules = await loaded();
    expect(rules.map((rule) => rule.name)).toEqual(expect.arrayContaining(alertingRules().map((rule) => rule.alert)));
    expect(rules.filter((rule) => rule.health !== 'ok')).toEqual([]);
    // Evaluated over the plays' samples by now: the one SLI series, and no error in it.
    await eventually(
      async () => (await prometheus!.query('streamplane:stream_start_errors:ratio_rate5m == 0')).length === 1,
      'the stream-start SLI recorded at 0',
    );
  });

  it('finds a stopping service NOT_SERVING, and then the edge without catalog and catalog down', async () => {
    const notServing = alertingRules().find((rule) => rule.alert === 'ServiceNotServing')!.expr;
    expect(await prometheus!.query(notServing)).toEqual([]);

    // SIGTERM: health turns NOT_SERVING at once, while the process waits SHUTDOWN_DELAY_MS before it goes.
    const stopping = started.find((running) => running.name === 'playback-authorization')!;
    const stopped = stopping.stop();
    const metrics = `http://127.0.0.1:${stopping.metricsPort}/metrics`;
    await eventually(
      async () => /^streamplane_health_serving\{[^}]*\} 0$/m.test(await (await fetch(metrics)).text()),
      'playback-authorization exporting streamplane_health_serving 0 while it shuts down',
    );
    await stopped;

    await started.find((running) => running.name === 'catalog')!.stop();
    await eventually(async () => {
      const jobs = (await prometheus!.query(notServing)).map((sample) => sample.metric.job).sort();
      return JSON.stringify(jobs) === JSON.stringify(['catalog', 'edge', 'playback-authorization']);
    }, 'ServiceNotServing’s expression naming catalog and playback-authorization (down) and the edge (NOT_SERVING)');
  });
});
