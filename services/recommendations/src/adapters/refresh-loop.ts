import { setTimeout as sleep } from 'node:timers/promises';
import { fullJitterBackoff, type BackoffOptions } from '@streamplane/platform';

export interface RefreshLoopOptions {
  /** Wait after a successful run before the next one. */
  intervalMs: number;
  /** Wait after a failed run: full-jitter exponential backoff, reset by a success. */
  retry: BackoffOptions;
  /** Told about every failed run: how many failed in a row, and when the next run starts. */
  onFailure?: (error: unknown, failuresInARow: number, retryInMs: number) => void;
  random?: () => number;
}

/**
 * Runs a task in the background: now, again after failures (with backoff) until it succeeds, then every
 * interval. One run at a time: each run is awaited before the next wait starts, so loads never overlap.
 */
export class RefreshLoop {
  private readonly stopping = new AbortController();
  private loop?: Promise<void>;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly options: RefreshLoopOptions,
  ) {}

  /** Starts the loop (once; later calls do nothing). Resolves when the loop has ended after stop(). */
  start(): Promise<void> {
    this.loop ??= this.run();
    return this.loop;
  }

  /** Ends the loop: no new run starts, and a pending wait ends at once. A run in progress is not cut off. */
  stop(): void {
    this.stopping.abort();
  }

  private async run(): Promise<void> {
    const { signal } = this.stopping;
    let failuresInARow = 0;
    while (!signal.aborted) {
      let waitMs: number;
      try {
        await this.task();
        failuresInARow = 0;
        waitMs = this.options.intervalMs;
      } catch (error) {
        waitMs = fullJitterBackoff(failuresInARow, this.options.retry, this.options.random);
        failuresInARow += 1;
        this.options.onFailure?.(error, failuresInARow, waitMs);
      }
      await sleep(waitMs, undefined, { signal }).catch(() => undefined);
    }
  }
}
