/* eslint-disable no-console -- a benchmark prints its figures */
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SERVICE_NAMES, SERVICES, type ServiceName } from '@streamplane/contracts';
import { benchSteeringRanking } from '@streamplane/steering/ranking-benchmark';
import { LOCAL_DEVELOPMENT_SECRET, signAccountToken } from '@streamplane/streaming';
import { testClient, type TestClient } from '@streamplane/testkit';
import { DEFAULT_LOAD, Platform, realTimers, runLoad, ViewerPool, type PlatformCalls } from '@streamplane/tools';
import type { FloorConfig } from './floor-server';

/**
 * `npm run bench`: figures, not assertions. Part one ranks appliances in process, indexed ranking against
 * a scan of the whole fleet that applies the same rules. Part two starts the platform (all seven services
 * as real processes on 127.0.0.1) and beside it the bare floor (floor-server.ts: the same play fan-out
 * with nothing but grpc-js, replaying the platform's own recorded answers, in separate processes too), and
 * measures both with the same client, in alternating rounds, at concurrency 16 and 64: the ratio is what
 * the platform's machinery costs. Also one hop (GetTitle), the home screen (GetHomeRows), each service's
 * cold start to SERVING and its memory idle and after the load. The figures go to bench/results/ as JSON.
 */

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Figures {
  name: string;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
}

function report(figures: Figures): void {
  console.log(
    `${figures.name.padEnd(42)} ${figures.perSecond.toFixed(0).padStart(8)}/s   p50 ${figures.p50.toFixed(2).padStart(7)} ms   p95 ${figures.p95.toFixed(2).padStart(7)} ms   p99 ${figures.p99.toFixed(2).padStart(7)} ms`,
  );
}

async function measure(name: string, requests: number, concurrency: number, call: (i: number) => Promise<unknown>) {
  for (let i = 0; i < Math.min(200, requests); i++) await call(i); // warm-up: JIT, channels, caches
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < requests; i = next++) {
        const begun = performance.now();
        await call(i);
        latencies.push(performance.now() - begun);
      }
    }),
  );
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const figures = {
    name,
    perSecond: (requests / elapsed) * 1000,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
  };
  report(figures);
  return figures;
}

const PLAY_REQUEST = (accountId: string) => ({
  profile_id: `${accountId}-p1`,
  title_id: 'tt00002',
  device: { device_id: 'bench', max_height: 2160, supports_hdr: true, codecs: ['h264', 'hevc'] },
  client: { country: 'US', asn: 20_250 },
});

/** The six calls of a play, as playback-authorization makes them for acct-0001 and tt00002. */
const FAN_OUT: Array<{ service: ServiceName; method: string; request: object }> = [
  { service: 'profiles', method: 'GetProfile', request: { profile_id: 'acct-0001-p1' } },
  { service: 'billing', method: 'GetEntitlement', request: { account_id: 'acct-0001' } },
  { service: 'catalog', method: 'GetTitle', request: { title_id: 'tt00002' } },
  { service: 'catalog', method: 'GetEncodingLadder', request: { title_id: 'tt00002' } },
  {
    service: 'steering',
    method: 'SteerPlayback',
    request: { title_id: 'tt00002', client: { country: 'US', asn: 20_250 } },
  },
  { service: 'subtitles', method: 'ListTracks', request: { title_id: 'tt00002', page_size: 200 } },
];

interface FloorProcess {
  address: string;
  stop(): void;
}

/** Starts one bare grpc-js process of the floor (bench/floor-server.ts) and waits for its port. */
async function startFloor(config: FloorConfig, directory: string, name: string): Promise<FloorProcess> {
  const configPath = join(directory, `${name}.json`);
  writeFileSync(configPath, JSON.stringify(config));
  const child = spawn(process.execPath, [join(__dirname, 'floor-server.js'), configPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^listening (\d+)$/.exec(line);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`floor ${name} exited with ${code}`)));
  });
  return { address: `127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

/** Resident memory of a process, in MB (Linux). */
function rssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The load generator's own ceiling: viewer actions per second it can start and record on this machine when
 * every call is answered at once, in process, so that nothing but the generator is measured.
 */
async function benchLoadGenerator(): Promise<{
  offered: number;
  achievedActionsPerSecond: number;
  rpcPerSecond: number;
}> {
  console.log('\n== the load generator itself (in process, every call answered at once) ==');
  const instant: PlatformCalls = {
    call: async (_service, method) =>
      method === 'ListTitles'
        ? { code: 'OK', response: { titles: [{ title_id: 'tt00001', name: 'The Silent Crown' }] } }
        : { code: 'OK', response: {} },
    close: () => undefined,
  };
  const viewers = new ViewerPool(
    Array.from({ length: 100 }, (_, i) => ({
      accountId: `acct-${i}`,
      profileId: `acct-${i}-p1`,
      maxStreams: 4,
      maturityLevel: 18,
    })),
  );
  // Doubles the offered rate until the generator falls behind it (achieves under 90 % of it).
  const durationMs = 2_000;
  let result = { offered: 0, achievedActionsPerSecond: 0, rpcPerSecond: 0 };
  for (let offered = 25_000; offered <= 400_000; offered *= 2) {
    const startedAt = performance.now();
    const recorder = await runLoad(
      {
        ...DEFAULT_LOAD,
        rate: offered,
        durationMs,
        mix: [
          ['home', 1],
          ['browse', 1],
        ],
        maxInFlight: 100_000,
      },
      { calls: instant, viewers, titles: [], tokenOf: () => 'token', timers: realTimers },
    );
    const elapsedS = (performance.now() - startedAt) / 1000;
    result = {
      offered,
      achievedActionsPerSecond: Math.round(recorder.actions / elapsedS),
      rpcPerSecond: Math.round(recorder.requests / elapsedS),
    };
    if (result.achievedActionsPerSecond < offered * 0.9) break;
  }
  console.log(
    `load generator ceiling: ${result.achievedActionsPerSecond} actions/s (${result.rpcPerSecond} RPCs/s recorded) when offered ${result.offered}/s`,
  );
  return result;
}

interface BenchResults {
  node: string;
  loadGenerator?: Awaited<ReturnType<typeof benchLoadGenerator>>;
  startedAt: string;
  coldStartMs: Record<string, number>;
  rssIdleMb: Record<string, number | undefined>;
  rssAfterLoadMb: Record<string, number | undefined>;
  oneHop: Figures;
  homeRows: Figures;
  playVsFloor: Array<{
    concurrency: number;
    platform: Figures;
    floor: Figures;
    throughputPercent: number;
    p99Ratio: number;
  }>;
}

async function benchPlatform(): Promise<BenchResults> {
  console.log(`\n== the platform against the bare floor, over gRPC on 127.0.0.1 (${REQUESTS} requests a round) ==`);
  const launchedAt = new Map<string, number>();
  const coldStartMs: Record<string, number> = {};
  const platform = await Platform.start({
    ports: 'free',
    env: { LOG_LEVEL: 'warn' },
    onEvent: (event) => {
      if (event.kind === 'starting') launchedAt.set(event.service, performance.now());
      if (event.kind === 'health' && !(event.service in coldStartMs)) {
        coldStartMs[event.service] = Math.round(performance.now() - launchedAt.get(event.service)!);
      }
    },
  });
  const clients: TestClient[] = [];
  const floors: FloorProcess[] = [];
  const directory = mkdtempSync(join(tmpdir(), 'streamplane-bench-'));
  const client = (service: ServiceName, address = platform.address(service)) => {
    const created = testClient(SERVICES[service], address);
    clients.push(created);
    return created;
  };
  try {
    const rssIdleMb = Object.fromEntries(SERVICE_NAMES.map((name) => [name, rssMb(platform.pid(name))]));
    const billing = client('billing');
    const playback = client('playback-authorization');
    const catalog = client('catalog');
    const recommendations = client('recommendations');

    // One in-flight play per account keeps every play within its account's stream limit.
    const accounts: string[] = [];
    for (let n = 1; accounts.length < 64 * 4 && n <= 1000; n++) {
      const accountId = `acct-${String(n).padStart(4, '0')}`;
      const entitlement = await billing.call<{ active: boolean }>('GetEntitlement', { account_id: accountId });
      if (entitlement.active) accounts.push(accountId);
    }
    const tokens = new Map(accounts.map((id) => [id, `Bearer ${signAccountToken(id, LOCAL_DEVELOPMENT_SECRET)}`]));
    for (let attempt = 0; attempt < 200; attempt++) {
      const ready = await recommendations.call('GetTrending', { country: 'US' }).then(
        () => true,
        () => false,
      );
      if (ready) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    // The floor replays what the platform answers: record one answer of each call of a play.
    const answers = new Map<string, unknown>();
    for (const { service, method, request } of FAN_OUT) {
      answers.set(`${service}/${method}`, await client(service).call(method, request));
    }
    const metadata = { authorization: tokens.get(accounts[0]!)! };
    const grant = await playback.call<{ playback_session_id: string }>(
      'AuthorizePlayback',
      PLAY_REQUEST(accounts[0]!),
      {
        metadata,
      },
    );
    await playback.call('StopPlayback', { playback_session_id: grant.playback_session_id }, { metadata });
    const leaves = new Map<ServiceName, FloorProcess>();
    for (const service of new Set(FAN_OUT.map((call) => call.service))) {
      const recorded = Object.fromEntries(
        FAN_OUT.filter((call) => call.service === service).map((call) => [
          call.method,
          answers.get(`${service}/${call.method}`),
        ]),
      );
      const leaf = await startFloor(
        {
          role: 'leaf',
          grpcService: SERVICES[service].grpcService,
          protoFile: SERVICES[service].protoFile,
          answers: recorded,
        },
        directory,
        service,
      );
      floors.push(leaf);
      leaves.set(service, leaf);
    }
    const floorPlayback = await startFloor(
      {
        role: 'playback',
        grpcService: SERVICES['playback-authorization'].grpcService,
        protoFile: SERVICES['playback-authorization'].protoFile,
        answers: { AuthorizePlayback: grant, StopPlayback: {} },
        fanOut: FAN_OUT.map((call) => ({
          address: leaves.get(call.service)!.address,
          grpcService: SERVICES[call.service].grpcService,
          protoFile: SERVICES[call.service].protoFile,
          method: call.method,
          request: call.request,
        })),
      },
      directory,
      'playback',
    );
    floors.push(floorPlayback);
    const floorClient = client('playback-authorization', floorPlayback.address);

    const oneHop = await measure('catalog GetTitle (one hop)', REQUESTS, 16, (i) =>
      catalog.call('GetTitle', { title_id: `tt${String((i % 2000) + 1).padStart(5, '0')}` }),
    );
    const homeRows = await measure('recommendations GetHomeRows', REQUESTS, 16, (i) =>
      recommendations.call('GetHomeRows', { profile_id: `${accounts[i % accounts.length]}-p1`, country: 'US' }),
    );
    console.log(`GetHomeRows p50 / GetTitle p50: ${(homeRows.p50 / oneHop.p50).toFixed(1)} ×`);

    let slot = 0;
    const platformPlay = async () => {
      const accountId = accounts[slot++ % accounts.length]!;
      const auth = { authorization: tokens.get(accountId)! };
      const granted = await playback.call<{ playback_session_id: string }>(
        'AuthorizePlayback',
        PLAY_REQUEST(accountId),
        {
          metadata: auth,
        },
      );
      await playback.call('StopPlayback', { playback_session_id: granted.playback_session_id }, { metadata: auth });
    };
    const floorPlay = async () => {
      await floorClient.call('AuthorizePlayback', PLAY_REQUEST('acct-0001'));
      await floorClient.call('StopPlayback', { playback_session_id: grant.playback_session_id });
    };
    const playVsFloor: BenchResults['playVsFloor'] = [];
    for (const concurrency of [16, 64]) {
      // Alternating rounds, the best of each kept: both meet the same machine in the same moments.
      const best = { floor: undefined as Figures | undefined, platform: undefined as Figures | undefined };
      for (let round = 1; round <= 2; round++) {
        const floor = await measure(`bare floor, concurrency ${concurrency}`, REQUESTS, concurrency, floorPlay);
        const real = await measure(`play path, concurrency ${concurrency}`, REQUESTS, concurrency, platformPlay);
        if (!best.floor || floor.perSecond > best.floor.perSecond) best.floor = floor;
        if (!best.platform || real.perSecond > best.platform.perSecond) best.platform = real;
      }
      const throughputPercent = Math.round((best.platform!.perSecond / best.floor!.perSecond) * 100);
      const p99Ratio = Math.round((best.platform!.p99 / best.floor!.p99) * 10) / 10;
      console.log(`play path vs bare grpc-js at concurrency ${concurrency}: ${throughputPercent} %`);
      console.log(`play path p99 vs bare grpc-js at concurrency ${concurrency}: ${p99Ratio.toFixed(1)} ×`);
      playVsFloor.push({ concurrency, platform: best.platform!, floor: best.floor!, throughputPercent, p99Ratio });
    }
    const rssAfterLoadMb = Object.fromEntries(SERVICE_NAMES.map((name) => [name, rssMb(platform.pid(name))]));
    console.log('\nservice                 cold start   RSS idle   RSS after load');
    for (const name of SERVICE_NAMES) {
      console.log(
        `${name.padEnd(24)}${String(coldStartMs[name] ?? '?').padStart(7)} ms${String(rssIdleMb[name] ?? '?').padStart(8)} MB${String(rssAfterLoadMb[name] ?? '?').padStart(10)} MB`,
      );
    }
    return {
      node: process.version,
      startedAt: new Date().toISOString(),
      coldStartMs,
      rssIdleMb,
      rssAfterLoadMb,
      oneHop,
      homeRows,
      playVsFloor,
    };
  } finally {
    for (const created of clients) created.close();
    for (const floor of floors) floor.stop();
    await platform.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`node ${process.version}`);
  benchSteeringRanking();
  const loadGenerator = await benchLoadGenerator();
  const results = { ...(await benchPlatform()), loadGenerator };
  const directory = join(__dirname, '..', 'results');
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `bench-${results.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
