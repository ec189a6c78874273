/* eslint-disable no-console -- a benchmark prints its figures */
import { performance } from 'node:perf_hooks';
import { SERVICES } from '@streamplane/contracts';
import { benchSteeringRanking } from '@streamplane/steering/ranking-benchmark';
import { LOCAL_DEVELOPMENT_SECRET, signAccountToken } from '@streamplane/streaming';
import { startServiceProcess, testClient, type ServiceProcess, type TestClient } from '@streamplane/testkit';

/**
 * `npm run bench`: figures, not assertions. Part one ranks appliances in process, indexed ranking against
 * a scan of the whole fleet that applies the same rules. Part two starts all seven services as real
 * processes on 127.0.0.1 and measures calls through gRPC at a fixed concurrency: one hop (GetTitle), the
 * home screen, and hitting play (six services, fanned out) followed by stopping it.
 */

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
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

async function benchPlatform(): Promise<void> {
  console.log(`\n== the platform over gRPC on 127.0.0.1 (${REQUESTS} requests, concurrency ${CONCURRENCY}) ==`);
  const processes: ServiceProcess[] = [];
  const clients: TestClient[] = [];
  // 'info' is the least a process can log: its "serving" line tells the runner it is up.
  const logAtInfo = { LOG_LEVEL: 'info' };
  try {
    const catalog = await startServiceProcess('catalog', logAtInfo);
    processes.push(catalog);
    const withCatalog = { ...logAtInfo, CATALOG_ADDR: catalog.address };
    const [profiles, billing, subtitles, steering] = await Promise.all(
      ['profiles', 'billing', 'subtitles', 'steering'].map((name) => startServiceProcess(name, withCatalog)),
    );
    processes.push(profiles!, billing!, subtitles!, steering!);
    const addresses = {
      ...withCatalog,
      PROFILES_ADDR: profiles!.address,
      BILLING_ADDR: billing!.address,
      SUBTITLES_ADDR: subtitles!.address,
      STEERING_ADDR: steering!.address,
    };
    const [playback, recommendations] = await Promise.all([
      startServiceProcess('playback-authorization', addresses),
      startServiceProcess('recommendations', addresses),
    ]);
    processes.push(playback!, recommendations!);

    const catalogClient = testClient(SERVICES.catalog, catalog.address);
    const billingClient = testClient(SERVICES.billing, billing!.address);
    const playbackClient = testClient(SERVICES['playback-authorization'], playback!.address);
    const recommendationsClient = testClient(SERVICES.recommendations, recommendations!.address);
    clients.push(catalogClient, billingClient, playbackClient, recommendationsClient);

    // One in-flight play per account keeps every play within its account's stream limit.
    const accounts: string[] = [];
    for (let n = 1; accounts.length < CONCURRENCY * 4 && n <= 1000; n++) {
      const accountId = `acct-${String(n).padStart(4, '0')}`;
      const entitlement = await billingClient.call<{ active: boolean }>('GetEntitlement', { account_id: accountId });
      if (entitlement.active) accounts.push(accountId);
    }
    const tokens = new Map(accounts.map((id) => [id, `Bearer ${signAccountToken(id, LOCAL_DEVELOPMENT_SECRET)}`]));
    // Recommendations answers once its catalog snapshot has loaded.
    for (let attempt = 0; attempt < 200; attempt++) {
      const ready = await recommendationsClient.call('GetTrending', { country: 'US' }).then(
        () => true,
        () => false,
      );
      if (ready) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const oneHop = await measure('catalog GetTitle (one hop)', REQUESTS, CONCURRENCY, (i) =>
      catalogClient.call('GetTitle', { title_id: `tt${String((i % 2000) + 1).padStart(5, '0')}` }),
    );
    await measure('recommendations GetHomeRows', REQUESTS, CONCURRENCY, (i) =>
      recommendationsClient.call('GetHomeRows', { profile_id: `${accounts[i % accounts.length]}-p1`, country: 'US' }),
    );
    let slot = 0;
    const play = await measure('AuthorizePlayback + StopPlayback', REQUESTS, CONCURRENCY, async () => {
      const accountId = accounts[slot++ % accounts.length]!;
      const metadata = { authorization: tokens.get(accountId)! };
      const grant = await playbackClient.call<{ playback_session_id: string }>(
        'AuthorizePlayback',
        {
          profile_id: `${accountId}-p1`,
          title_id: 'tt00002',
          device: { device_id: 'bench', max_height: 2160, supports_hdr: true, codecs: ['h264', 'hevc'] },
          client: { country: 'US', asn: 20_250 },
        },
        { metadata },
      );
      await playbackClient.call('StopPlayback', { playback_session_id: grant.playback_session_id }, { metadata });
    });
    console.log(`ratio play (six services, two calls) / one hop, p50: ${(play.p50 / oneHop.p50).toFixed(1)} ×`);
  } finally {
    for (const client of clients) client.close();
    await Promise.all(processes.map((process) => process.stop()));
  }
}

async function main(): Promise<void> {
  console.log(`node ${process.version}`);
  benchSteeringRanking();
  await benchPlatform();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
