import { UnavailableError } from '../errors/domain-errors';
import type { Logger } from '../logging/logger';
import type { Readiness } from '../server/readiness';

export interface StoreGuardOptions {
  /** Name in logs, health reasons and error messages ("postgres", "redis"). */
  name: string;
  readiness: Readiness;
  logger: Logger;
  /** A cheap round trip to the store (SELECT 1, PING). */
  ping: () => Promise<void>;
  /** True when an error means the store could not be reached (as opposed to, say, a constraint). */
  isConnectionError: (error: unknown) => boolean;
  /**
   * True when the store was reached but too busy to answer in time (a statement timeout): worth a retry,
   * so UNAVAILABLE, but no reason to leave rotation, since other calls may well succeed.
   */
  isOverloadError?: (error: unknown) => boolean;
  /** Time between pings while the store is down. */
  probeIntervalMs?: number;
}

/**
 * Puts a store's connection state where callers and orchestrators can see it. An operation that fails
 * because the store cannot be reached becomes UNAVAILABLE (retryable, never UNKNOWN), the service turns
 * NOT_SERVING, and a background ping brings it back to SERVING as soon as the store answers again: the
 * service recovers by itself, without a restart.
 */
export class StoreGuard {
  private probe: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: StoreGuardOptions) {}

  async run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (this.options.isOverloadError?.(error)) {
        throw new UnavailableError(`${this.options.name} is overloaded (${describe(error)}); retry later`);
      }
      if (!this.options.isConnectionError(error)) throw error;
      this.markDown(error);
      throw new UnavailableError(`${this.options.name} is unavailable (${describe(error)}); retry later`);
    }
  }

  /** Reports the store down and pings it until it answers. */
  markDown(error: unknown): void {
    this.options.readiness.report(this.options.name, false, describe(error));
    if (this.probe || this.closed) return;
    const interval = this.options.probeIntervalMs ?? 1_000;
    const tick = async () => {
      try {
        await this.options.ping();
        this.probe = undefined;
        this.options.readiness.report(this.options.name, true);
      } catch {
        if (!this.closed) this.probe = setTimeout(() => void tick(), interval).unref();
      }
    };
    this.probe = setTimeout(() => void tick(), interval).unref();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.probe);
    this.probe = undefined;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
