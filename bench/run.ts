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
import { percentile, testClient, type TestClient } from '@streamplane/testkit';
import { Server, ServerCredentials, status, type Metadata } from '@grpc/grpc-js';
import { pushbackMsOf } from '@streamplane/platform';
import {
  DEFAULT_LOAD,
  Platform,
  realTimers,
  runLoad,
  ViewerPool,
  type PlatformCalls,
  type PlatformOptions,
} from '@streamplane/tools';
import type { FloorConfig } from './floor-server';
import { benchNestDispatch, type NestDispatchFigures } from './nest-dispatch';

/**
 * `npm run bench`: figures, not assertions. It starts the platform (all seven services as real processes
 * on 127.0.0.1, as `npm start` runs them) and, while the services
 * sit idle, ranks appliances in process (indexed ranking against a scan of the whole fleet), finds the load
 * generator's own ceiling and times Nest's dispatch; then their idle memory. Beside the platform it starts
 * the bare floor (floor-server.ts: the same play fan-out with nothing but grpc-js, replaying the platform's
 * own recorded answers, in separate processes too) and measures both with the same client, in alternating
 * rounds, at concurrency 16 and 64: the ratio is what the platform's machinery costs, and the CPU time per
 * play of every process involved says where it goes: the platform restarted as deployed (exporting its
 * spans, to a sink that discards them), then with each switchable layer off in turn. Also one hop (GetTitle), the home screen (GetHomeRows) and each service's cold start to
 * SERVING. The figures go to bench/results/ as JSON.
 */

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const WARM_UP_PLAYS = 2000;

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

async function measure(
  name: string,
  requests: number,
  concurrency: number,
  call: (i: number) => Promise<unknown>,
  { warmUp = true } = {},
) {
  if (warmUp) for (let i = 0; i < Math.min(200, requests); i++) await call(i); // JIT, channels, caches
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
  name: string;
  address: string;
  pid: number | undefined;
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
  return { name, address: `127.0.0.1:${port}`, pid: child.pid, stop: () => child.kill('SIGTERM') };
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

interface PlayFigures extends Figures {
  /** CPU time of all the processes serving the play (user + system), per play. */
  cpuMsPerPlay: number;
  /** The same, per process (by service name for the platform, by role for the floor). */
  cpuMsPerPlayBy: Record<string, number>;
  /** Calls the platform refused at its concurrency limits during the round (retried). */
  refusedCalls: number;
}

interface LayerShare {
  layer: string;
  /** How the layer was switched off. */
  how: string;
  cpuMsPerPlay: number;
  perSecond: number;
  /** Share of a play's CPU time the layer accounts for. */
  percentOfPlay: number;
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
    platform: PlayFigures;
    floor: PlayFigures;
    throughputPercent: number;
    p99Ratio: number;
  }>;
  /** Heartbeats of open sessions: the play path's most frequent call at a Netflix-scale peak. */
  heartbeats: Figures & { cpuMsPerCall: number; cpuMsPerCallBy: Record<string, number> };
  nestDispatch: NestDispatchFigures;
  /** The play path exporting its spans, breakers and retries on: what the layers are shares of. */
  asDeployed: PlayFigures;
  layers: LayerShare[];
}

/** The processes serving a measurement, by name. */
type Processes = () => Record<string, number | undefined>;

/** User + system CPU time of a process so far, in ms (Linux /proc; clock ticks of 10 ms). */
function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    // The fields after the command name, which is in parentheses and may itself hold spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0; // the process has gone
  }
}

/** CPU time of each process so far, in ms, by name. */
function cpuMsBy(processes: Processes): Record<string, number> {
  return Object.fromEntries(Object.entries(processes()).map(([name, pid]) => [name, cpuMsOf(pid)]));
}

/** CPU ms per call of each process between two readings, and of all of them together. */
function cpuPerCall(before: Record<string, number>, after: Record<string, number>, calls: number) {
  const by = Object.fromEntries(
    Object.keys(after).map((name) => [name, Math.round(((after[name]! - (before[name] ?? 0)) / calls) * 1000) / 1000]),
  );
  const total =
    Object.values(after).reduce((sum, ms) => sum + ms, 0) - Object.values(before).reduce((sum, ms) => sum + ms, 0);
  return { total: Math.round((total / calls) * 1000) / 1000, by };
}

/** Measures plays, adding the CPU time the given processes spent on them. */
async function measurePlays(
  name: string,
  concurrency: number,
  processes: Processes,
  play: () => Promise<unknown>,
  { warmUp = true } = {},
): Promise<PlayFigures> {
  // Warm-up outside the count: fresh processes need ~2,000 plays before V8 has compiled the hot paths, and
  // the adaptive concurrency limits grow with the calls in flight, so the warm-up widens step by step.
  const widths = Array.from({ length: Math.floor(Math.log2(concurrency)) + 1 }, (_, step) => 2 ** step);
  for (const width of warmUp ? widths : []) {
    const playsEach = Math.ceil(WARM_UP_PLAYS / widths.length / width);
    await Promise.all(
      Array.from({ length: width }, async () => {
        for (let i = 0; i < playsEach; i++) await play();
      }),
    );
  }
  const before = cpuMsBy(processes);
  const refusedBefore = refusals;
  const figures = await measure(name, REQUESTS, concurrency, play, { warmUp: false });
  if (refusals > refusedBefore)
    console.log(`  (${refusals - refusedBefore} calls refused and retried after their pushback)`);
  const cpu = cpuPerCall(before, cpuMsBy(processes), REQUESTS);
  return { ...figures, cpuMsPerPlay: cpu.total, cpuMsPerPlayBy: cpu.by, refusedCalls: refusals - refusedBefore };
}

/**
 * A stand-in for Jaeger's OTLP/gRPC port that accepts every export and keeps nothing, so that the platform
 * is measured exporting its spans as deployed, without a collector's own work on the same two cores.
 */
async function startDiscardingOtlpSink(): Promise<{ endpoint: string; stop(): void }> {
  const server = new Server();
  const passThrough = (bytes: Buffer) => bytes;
  server.addService(
    {
      Export: {
        path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        requestStream: false,
        responseStream: false,
        requestSerialize: passThrough,
        requestDeserialize: passThrough,
        responseSerialize: passThrough,
        responseDeserialize: passThrough,
      },
    },
    { Export: (_call: unknown, callback: (error: null, answer: Buffer) => void) => callback(null, Buffer.alloc(0)) },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => server.forceShutdown() };
}

/** Refusals the platform's concurrency limits answered the bench with (each retried after its pushback). */
let refusals = 0;

/**
 * A call as a well-behaved client makes it: a RESOURCE_EXHAUSTED refusal (the server shedding load past
 * its adaptive limit) is retried after the server's pushback, so the closed loop measures what the
 * platform serves rather than stopping at its first refusal.
 */
async function politely<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const { code, metadata } = error as { code?: number; metadata?: Metadata };
      if (code !== status.RESOURCE_EXHAUSTED || attempt >= 50) throw error;
      refusals += 1;
      const pushbackMs = pushbackMsOf(metadata) ?? 20;
      await new Promise((resolve) => setTimeout(resolve, pushbackMs));
    }
  }
}

/** A started platform with what a play needs: clients, accounts with an active plan, their tokens. */
interface PlatformUnderTest {
  platform: Platform;
  client(service: ServiceName, address?: string): TestClient;
  playback: TestClient;
  accounts: string[];
  tokens: Map<string, string>;
  play(): Promise<void>;
  processes: Processes;
  stop(): Promise<void>;
}

async function startPlatform(env: NodeJS.ProcessEnv, onEvent?: PlatformOptions['onEvent']): Promise<PlatformUnderTest> {
  const platform = await Platform.start({ ports: 'free', env: { LOG_LEVEL: 'warn', ...env }, onEvent });
  const clients: TestClient[] = [];
  const client = (service: ServiceName, address = platform.address(service)) => {
    const created = testClient(SERVICES[service], address);
    clients.push(created);
    return created;
  };
  const billing = client('billing');
  const playback = client('playback-authorization');
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
  let slot = 0;
  return {
    platform,
    client,
    playback,
    accounts,
    tokens,
    async play() {
      const accountId = accounts[slot++ % accounts.length]!;
      const metadata = { authorization: tokens.get(accountId)! };
      const granted = await politely(() =>
        playback.call<{ playback_session_id: string }>('AuthorizePlayback', PLAY_REQUEST(accountId), { metadata }),
      );
      await politely(() =>
        playback.call('StopPlayback', { playback_session_id: granted.playback_session_id }, { metadata }),
      );
    },
    processes: () => Object.fromEntries(SERVICE_NAMES.map((name) => [name, platform.pid(name)])),
    stop() {
      for (const created of clients.splice(0)) created.close();
      return platform.stop();
    },
  };
}

/**
 * Heartbeats at concurrency 16 over one open session per account, with the CPU each process spent per
 * heartbeat: the capacity model's largest line (docs/capacity.md).
 */
async function measureHeartbeats(real: PlatformUnderTest): Promise<BenchResults['heartbeats']> {
  const sessions = await Promise.all(
    real.accounts.slice(0, 64).map(async (accountId) => {
      const metadata = { authorization: real.tokens.get(accountId)! };
      const grant = await politely(() =>
        real.playback.call<{ playback_session_id: string }>('AuthorizePlayback', PLAY_REQUEST(accountId), {
          metadata,
        }),
      );
      return { metadata, request: { playback_session_id: grant.playback_session_id } };
    }),
  );
  try {
    const beat = (i: number) => {
      const session = sessions[i % sessions.length]!;
      return politely(() => real.playback.call('Heartbeat', session.request, { metadata: session.metadata }));
    };
    const before = cpuMsBy(real.processes);
    const figures = await measure('Heartbeat', REQUESTS, 16, beat);
    // measure's warm-up calls are not in `figures`; they are in the CPU readings, so count them too.
    const cpu = cpuPerCall(before, cpuMsBy(real.processes), REQUESTS + Math.min(200, REQUESTS));
    console.log(
      `CPU per heartbeat: ${cpu.total.toFixed(2)} ms (playback-authorization ${cpu.by['playback-authorization']!.toFixed(2)} ms)`,
    );
    return { ...figures, cpuMsPerCall: cpu.total, cpuMsPerCallBy: cpu.by };
  } finally {
    for (const session of sessions) {
      await real.playback.call('StopPlayback', session.request, { metadata: session.metadata }).catch(() => undefined);
    }
  }
}

/**
 * The layers of the platform's machinery that can be switched off, each measured alone against the
 * platform as deployed (spans exported, breakers and retries on) at concurrency 16, by CPU time per play.
 */
const SWITCHED_OFF_LAYERS: Array<{ layer: string; how: string; env: (otlpEndpoint: string) => NodeJS.ProcessEnv }> = [
  { layer: 'telemetry export', how: 'no OTEL_EXPORTER_OTLP_ENDPOINT', env: () => ({}) },
  {
    layer: 'tracing (spans made and exported)',
    how: 'OTEL_TRACES_SAMPLER=always_off',
    env: () => ({ OTEL_TRACES_SAMPLER: 'always_off' }),
  },
  {
    layer: 'breakers and retries',
    how: 'STREAMPLANE_BENCH_WITHOUT=resilience',
    env: (otlpEndpoint) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint, STREAMPLANE_BENCH_WITHOUT: 'resilience' }),
  },
];

/**
 * Each service's idle resident memory: the lowest of readings every 5 s over IDLE_SETTLE_MS, because when
 * V8's memory reducer gives start-up memory back depends on how busy the machine is, and a single reading
 * can fall on a plateau before it.
 */
async function settledIdleRss(real: PlatformUnderTest): Promise<Record<string, number | undefined>> {
  const lowest: Record<string, number | undefined> = {};
  for (const settleUntil = performance.now() + IDLE_SETTLE_MS; ;) {
    for (const name of SERVICE_NAMES) {
      const mb = rssMb(real.platform.pid(name));
      if (mb !== undefined) lowest[name] = Math.min(lowest[name] ?? Infinity, mb);
    }
    if (performance.now() >= settleUntil) return lowest;
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  }
}

/** How long idle memory is watched after IDLE_BEFORE_RSS_MS. */
const IDLE_SETTLE_MS = 45_000;

/** Rounds of the layer breakdown, each measuring every variant once. */
const LAYER_ROUNDS = 3;

/** Idle long enough for V8's memory reducer to give back what start-up grew (after ~10–20 s, later on a busy machine). */
const IDLE_BEFORE_RSS_MS = 45_000;

async function benchPlatform(inProcessWhileIdle: () => Promise<void>): Promise<BenchResults> {
  console.log(`\n== the platform against the bare floor, over gRPC on 127.0.0.1 (${REQUESTS} requests a round) ==`);
  const sink = await startDiscardingOtlpSink();
  const launchedAt = new Map<string, number>();
  const coldStartMs: Record<string, number> = {};
  // As `npm start` runs it: spans made, no collector to export them to (the layers below add export).
  const real = await startPlatform({}, (event) => {
    if (event.kind === 'starting') launchedAt.set(event.service, performance.now());
    if (event.kind === 'health' && !(event.service in coldStartMs)) {
      coldStartMs[event.service] = Math.round(performance.now() - launchedAt.get(event.service)!);
    }
  });
  const upAt = performance.now();
  const floors: FloorProcess[] = [];
  const directory = mkdtempSync(join(tmpdir(), 'streamplane-bench-'));
  try {
    // The in-process figures are taken while the services sit idle, then their idle memory.
    await inProcessWhileIdle();
    const nestDispatch = await benchNestDispatch();
    console.log(
      `Nest dispatch, in process: ${nestDispatch.nestUs.toFixed(1)} µs a call through Nest, ${nestDispatch.bareUs.toFixed(1)} µs as plain functions`,
    );
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, IDLE_BEFORE_RSS_MS - (performance.now() - upAt))));
    const rssIdleMb = await settledIdleRss(real);
    const playback = real.client('playback-authorization');
    const catalog = real.client('catalog');
    const recommendations = real.client('recommendations');
    const { accounts, tokens } = real;

    // The floor replays what the platform answers: record one answer of each call of a play.
    const answers = new Map<string, unknown>();
    for (const { service, method, request } of FAN_OUT) {
      answers.set(`${service}/${method}`, await real.client(service).call(method, request));
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
    const floorClient = real.client('playback-authorization', floorPlayback.address);
    const floorProcesses = () => Object.fromEntries(floors.map((floor) => [floor.name, floor.pid]));

    const oneHop = await measure('catalog GetTitle (one hop)', REQUESTS, 16, (i) =>
      catalog.call('GetTitle', { title_id: `tt${String((i % 2000) + 1).padStart(5, '0')}` }),
    );
    const homeRows = await measure('recommendations GetHomeRows', REQUESTS, 16, (i) =>
      recommendations.call('GetHomeRows', { profile_id: `${accounts[i % accounts.length]}-p1`, country: 'US' }),
    );
    console.log(`GetHomeRows p50 / GetTitle p50: ${(homeRows.p50 / oneHop.p50).toFixed(1)} ×`);

    const floorPlay = async () => {
      await floorClient.call('AuthorizePlayback', PLAY_REQUEST('acct-0001'));
      await floorClient.call('StopPlayback', { playback_session_id: grant.playback_session_id });
    };
    const playVsFloor: BenchResults['playVsFloor'] = [];
    for (const concurrency of [16, 64]) {
      // Alternating rounds, the best of each kept: both meet the same machine in the same moments.
      let floor: PlayFigures | undefined;
      let platform: PlayFigures | undefined;
      for (let round = 1; round <= 2; round++) {
        const floorRound = await measurePlays(
          `bare floor, concurrency ${concurrency}`,
          concurrency,
          floorProcesses,
          floorPlay,
        );
        const realRound = await measurePlays(
          `play path, concurrency ${concurrency}`,
          concurrency,
          real.processes,
          real.play,
        );
        if (!floor || floorRound.perSecond > floor.perSecond) floor = floorRound;
        if (!platform || realRound.perSecond > platform.perSecond) platform = realRound;
      }
      const throughputPercent = Math.round((platform!.perSecond / floor!.perSecond) * 100);
      const p99Ratio = Math.round((platform!.p99 / floor!.p99) * 10) / 10;
      console.log(`play path vs bare grpc-js at concurrency ${concurrency}: ${throughputPercent} %`);
      console.log(`play path p99 vs bare grpc-js at concurrency ${concurrency}: ${p99Ratio.toFixed(1)} ×`);
      console.log(
        `CPU per play at concurrency ${concurrency}: ${platform!.cpuMsPerPlay.toFixed(2)} ms (platform), ${floor!.cpuMsPerPlay.toFixed(2)} ms (bare floor)`,
      );
      console.log(
        `  by service: ${Object.entries(platform!.cpuMsPerPlayBy)
          .map(([service, ms]) => `${service} ${ms.toFixed(2)}`)
          .join(', ')} ms`,
      );
      playVsFloor.push({ concurrency, platform: platform!, floor: floor!, throughputPercent, p99Ratio });
    }
    const heartbeats = await measureHeartbeats(real);
    const rssAfterLoadMb = Object.fromEntries(SERVICE_NAMES.map((name) => [name, rssMb(real.platform.pid(name))]));
    for (const floor of floors.splice(0)) floor.stop();
    await real.stop();

    const { whole, layers } = await benchLayers(sink.endpoint);
    const playCalls = 2 + FAN_OUT.length;
    const nestMs = (nestDispatch.dispatchUs * playCalls) / 1000;
    layers.push({
      layer: 'Nest dispatch versus a bare handler',
      how: `in process, ${playCalls} calls served a play`,
      cpuMsPerPlay: Math.round((whole.cpuMsPerPlay - nestMs) * 1000) / 1000,
      perSecond: Number.NaN,
      percentOfPlay: Math.round((nestMs / whole.cpuMsPerPlay) * 1000) / 10,
    });
    const floorShare = Math.round((playVsFloor[0]!.floor.cpuMsPerPlay / whole.cpuMsPerPlay) * 1000) / 10;
    console.log(
      `\nwhere a play's CPU goes (concurrency 16; the platform as deployed = 100 % = ${whole.cpuMsPerPlay.toFixed(2)} ms)`,
    );
    console.log(
      `  ${'bare grpc-js doing the same fan-out (the floor)'.padEnd(46)} ${floorShare.toFixed(1).padStart(5)} %`,
    );
    for (const share of layers) {
      console.log(`  ${share.layer.padEnd(46)} ${share.percentOfPlay.toFixed(1).padStart(5)} %   (${share.how})`);
    }

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
      heartbeats,
      nestDispatch,
      asDeployed: whole,
      layers,
    };
  } finally {
    for (const floor of floors) floor.stop();
    await real.stop();
    sink.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * The platform as deployed, and with each switchable layer off: each its own platform, all measured alike
 * (warm-up, then the least CPU per play of LAYER_ROUNDS interleaved rounds at concurrency 16), so that
 * they differ in that layer only.
 */
async function benchLayers(otlpEndpoint: string): Promise<{ whole: PlayFigures; layers: LayerShare[] }> {
  const variants = [
    { name: 'play path as deployed', env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint } as NodeJS.ProcessEnv },
    ...SWITCHED_OFF_LAYERS.map(({ layer, env }) => ({ name: `play path without ${layer}`, env: env(otlpEndpoint) })),
  ];
  // All of them up at once, measured in turn round after round: a busy moment of the machine then falls on
  // every variant alike instead of on whichever one it met, and the least CPU per play of each is kept.
  const started: PlatformUnderTest[] = [];
  try {
    for (const { env } of variants) started.push(await startPlatform(env));
    const best: Array<PlayFigures | undefined> = [];
    for (let round = 1; round <= LAYER_ROUNDS; round++) {
      for (const [index, { name }] of variants.entries()) {
        const figures = await measurePlays(name, 16, started[index]!.processes, started[index]!.play, {
          warmUp: round === 1,
        });
        if (!best[index] || figures.cpuMsPerPlay < best[index]!.cpuMsPerPlay) best[index] = figures;
      }
    }
    const whole = best[0]!;
    const layers = SWITCHED_OFF_LAYERS.map(({ layer, how }, index) => {
      const without = best[index + 1]!;
      return {
        layer,
        how,
        cpuMsPerPlay: without.cpuMsPerPlay,
        perSecond: Math.round(without.perSecond),
        percentOfPlay: Math.round(((whole.cpuMsPerPlay - without.cpuMsPerPlay) / whole.cpuMsPerPlay) * 1000) / 10,
      };
    });
    return { whole, layers };
  } finally {
    for (const variant of started) await variant.stop();
  }
}

async function main(): Promise<void> {
  console.log(`node ${process.version}`);
  let loadGenerator: BenchResults['loadGenerator'];
  const results = await benchPlatform(async () => {
    benchSteeringRanking();
    loadGenerator = await benchLoadGenerator();
  });
  results.loadGenerator = loadGenerator;
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
