import type { Health } from './supervisor';

/**
 * The edge's readiness as the supervisor's probes see it: `GET /healthz` answering 200 is SERVING, 503
 * NOT_SERVING (up, but catalog is unreachable or it is shutting down); no answer within `timeoutMs` is
 * UNREACHABLE. Never rejects.
 */
export async function checkHttpHealth(url: string, timeoutMs = 1_000): Promise<Health> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    if (response.status === 200) return 'SERVING';
    return response.status === 503 ? 'NOT_SERVING' : 'UNREACHABLE';
  } catch {
    return 'UNREACHABLE';
  }
}
