import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startHttpBinary } from './http-binary';

/**
 * A real Prometheus (the Debian package's binary) for a test: scraping the given targets on 127.0.0.1 every
 * second and evaluating the given rule files every second, its TSDB in a temporary directory, its API on a
 * free port (http-binary.ts).
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

export async function startPrometheus(targets: ScrapeTarget[], ruleFiles: string[] = []): Promise<PrometheusServer> {
  const { url, stop } = await startHttpBinary({
    binary: 'prometheus',
    args: (dir, listenAddress) => {
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
      return [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=${listenAddress}`,
        '--log.level=warn',
      ];
    },
    readyPath: '/-/ready',
  });

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
