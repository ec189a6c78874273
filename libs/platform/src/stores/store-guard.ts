import { randomUUID } from 'node:crypto';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { UnavailableError } from '../errors/domain-errors';
import type { Logger } from '../logging/logger';
import type { Readiness } from '../server/readiness';

export interface StoreGuardOptions {
  /**
   * What callers, health and logs call the store, e.g. "profiles database": callers read it in
   * "profiles database is unavailable (incident …); retry later".
   */
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

/** One stretch of time during which the store could not be reached, from the first failure to a ping that answered. */
interface Outage {
  readonly incidentId: string;
  /** Calls refused meanwhile, reported when it ends. */
  refusedCalls: number;
}

/**
 * Puts a store's connection state where callers and orchestrators can see it. An operation that fails
 * because the store cannot be reached becomes UNAVAILABLE (retryable, never UNKNOWN), the service turns
 * NOT_SERVING, and a background ping brings it back to SERVING as soon as the store answers again: the
 * service recovers by itself, without a restart.
 *
 * Callers get one fixed sentence naming the store, never the driver's words (`read ECONNRESET` says
 * nothing to a caller and something about our network to anyone): those are logged once when the outage
 * starts, under an incident id that every refusal during that outage carries, and the end of the outage is
 * logged once too. However many calls fail meanwhile, the log gets two lines.
 */
export class StoreGuard {
  private outage: Outage | undefined;
  private probe: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: StoreGuardOptions) {}

  async run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (this.options.isOverloadError?.(error)) throw this.overloaded(error);
      if (!this.options.isConnectionError(error)) throw error;
      const outage = this.outageOf(error);
      outage.refusedCalls++;
      throw new UnavailableError(`${this.options.name} is unavailable (incident ${outage.incidentId}); retry later`);
    }
  }

  /**
   * Reports the store down and pings it until it answers; for errors seen outside any call (a pooled
   * connection dropped, a reconnect refused). Once per outage: later reports join the current one.
   */
  markDown(error: unknown): void {
    this.outageOf(error);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.probe);
    this.probe = undefined;
  }

  /** The outage under way, or a new one that `error` starts. */
  private outageOf(error: unknown): Outage {
    if (this.outage) return this.outage;
    const outage: Outage = { incidentId: randomUUID(), refusedCalls: 0 };
    this.outage = outage;
    const { name, logger, readiness } = this.options;
    logger.error(`${name} unavailable; NOT_SERVING until it answers again`, {
      store: name,
      incident_id: outage.incidentId,
      error: describe(error),
    });
    readiness.report(name, false, `incident ${outage.incidentId}`);
    this.probeUntilUp(outage);
    return outage;
  }

  private probeUntilUp(outage: Outage): void {
    if (this.closed) return;
    const { name, logger, readiness, ping, probeIntervalMs = 1_000 } = this.options;
    const tick = async () => {
      try {
        await ping();
      } catch {
        if (!this.closed) this.probe = setTimeout(() => void tick(), probeIntervalMs).unref();
        return;
      }
      this.probe = undefined;
      this.outage = undefined;
      logger.info(`${name} available again`, {
        store: name,
        incident_id: outage.incidentId,
        refused_calls: outage.refusedCalls,
      });
      readiness.report(name, true);
    };
    // The probe belongs to no call: started in the caller's context, its lines would carry that call's trace.
    this.probe = context.with(ROOT_CONTEXT, () => setTimeout(() => void tick(), probeIntervalMs).unref());
  }

  /**
   * A busy store is no outage, so each such call is logged on its own; a statement has to run out its
   * whole timeout to get here, which keeps these lines few.
   */
  private overloaded(error: unknown): UnavailableError {
    const incidentId = randomUUID();
    this.options.logger.warn(`${this.options.name} overloaded: a call ran out of time`, {
      store: this.options.name,
      incident_id: incidentId,
      error: describe(error),
    });
    return new UnavailableError(`${this.options.name} is overloaded (incident ${incidentId}); retry later`);
  }
}

/**
 * The driver's own words, for the log. Node reports a refused connection to each address of a host as one
 * AggregateError with no message of its own.
 */
function describe(error: unknown): string {
  if (error instanceof AggregateError && !error.message) return error.errors.map(describe).join('; ');
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
