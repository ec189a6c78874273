import type { MetricsReader } from '../application/ports';
import { hostPort } from '../domain';

/** Far above a service's few tens of kilobytes; a larger answer is not a Streamplane /metrics. */
const MAX_BYTES = 4 * 1024 * 1024;

/** GET http://host:port/metrics, within `timeoutMs`. */
export class HttpMetricsReader implements MetricsReader {
  constructor(private readonly timeoutMs: number) {}

  async read(host: string, port: number): Promise<string> {
    const url = `http://${hostPort(host, port)}/metrics`;
    const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`${url} answered ${response.status}`);
    }
    const text = await response.text();
    if (text.length > MAX_BYTES) throw new Error(`${url} answered ${text.length} characters, more than ${MAX_BYTES}`);
    return text;
  }
}
