/**
 * The findings counter of a run, pushed to a Prometheus Pushgateway: a CronJob's run ends before any
 * scrape, so the Pushgateway holds its last figures for Prometheus (https://prometheus.io/docs/practices/pushing/,
 * "service-level batch jobs"). PUT replaces the whole group, so a rule found last run and not this one
 * leaves the gateway instead of lingering at its old count.
 */

/** The grouping key's job: one group for the monkey, whichever pod of its CronJob ran. */
export const PUSH_GATEWAY_JOB = 'streamplane-security-monkey';

const PUSH_TIMEOUT_MS = 10_000;

/** `gateway` as the base URL pushes go to; throws a one-line reason when it is none. */
export function pushGatewayUrl(gateway: string): URL {
  let url: URL;
  try {
    url = new URL(gateway);
  } catch {
    throw new Error(`takes the Pushgateway's URL, e.g. http://pushgateway.monitoring:9091 (got ${gateway})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`takes an http or https URL (got ${gateway})`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new Error(`takes the Pushgateway's base URL without query, fragment or credentials (got ${gateway})`);
  }
  return url;
}

/** PUTs `exposition` (the Prometheus text format) as the monkey's group; rejects with why it was not taken. */
export async function pushFindings(gateway: URL, exposition: string): Promise<void> {
  const base = gateway.href.endsWith('/') ? gateway.href : `${gateway.href}/`;
  const target = new URL(`metrics/job/${encodeURIComponent(PUSH_GATEWAY_JOB)}`, base);
  let response: Response;
  try {
    response = await fetch(target, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain; version=0.0.4' },
      body: exposition,
      signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new Error(`the Pushgateway at ${gateway.origin} did not answer (${cause})`);
  }
  if (!response.ok) {
    const reason = (await response.text().catch(() => '')).split('\n', 1)[0]?.trim();
    throw new Error(
      `the Pushgateway at ${gateway.origin} refused the findings: HTTP ${response.status} ${reason}`.trim(),
    );
  }
}
