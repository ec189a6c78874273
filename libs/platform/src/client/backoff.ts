/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"): the n-th
 * retry waits U(0, min(cap, base·2ⁿ)). Full jitter spreads synchronized clients apart best.
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 40, capMs: 1000 };

/** @param retry 0 for the first retry, 1 for the second, … */
export function fullJitterBackoff(retry: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}
