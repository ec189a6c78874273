import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { eventually, releaseEventLoop } from '@streamplane/testkit';
import { freePort } from '@streamplane/tools';

/**
 * A real Prometheus (the Debian package's binary) for a test: scraping the given targets on 127.0.0.1 every
 * second and evaluating the given rule files every second, its TSDB in a temporary directory, its API on a
 * free port. Nothing outlives the jest worker, whatever happens to the test.
 */

export const SCRAPE_INTERVAL = '1s';

export interface ScrapeTarget {
  /** The job label, as the ServiceMonitor sets it: the service's name. */
  job: string;
  metricsPort: number;
}

export interface InstantSample {
  metric: Record<string, string>;
  value: number;
}

export interface PrometheusServer {
  readonly url: string;
  /** An instant query; throws Prometheus's error (a query it cannot parse or evaluate). */
  query(expr: string): Promise<InstantSample[]>;
  /** GET /api/v1/<path>'s data. */
  api<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startPrometheus(targets: ScrapeTarget[], ruleFiles: string[] = []): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'streamplane-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    stringify({
      global: { scrape_interval: SCRAPE_INTERVAL, scrape_timeout: SCRAPE_INTERVAL, evaluation_interval: '1s' },
      rule_files: ruleFiles,
      scrape_configs: targets.map(({ job, metricsPort }) => ({
        job_name: job,
        static_configs: [{ targets: [`127.0.0.1:${metricsPort}`] }],
      })),
    }),
  );
  const port = await freePort();
  const child = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  running.add(child);
  releaseEventLoop(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killTimer);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${stderr}`);
      return (await fetch(`${url}/-/ready`).catch(() => undefined))?.status === 200;
    }, `prometheus ready on ${url}`);
  } catch (error) {
    await stop();
    throw error;
  }

  const api = async <T>(path: string): Promise<T> => {
    const body = (await (await fetch(`${url}/api/v1/${path}`)).json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${path}: ${body.error}`);
    return body.data;
  };
  return {
    url,
    api,
    async query(expr) {
      const data = await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
        `query?query=${encodeURIComponent(expr)}`,
      );
      return data.result.map(({ metric, value }) => ({ metric, value: Number(value[1]) }));
    },
    stop,
  };
}
