import Consul from 'consul';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logging/logger';
import { ConsulTokenRefused, withTokenRefusal } from './consul-connection';
import { instancesOfHealthEntries, type ConsulHealthEntry, type ServiceInstance } from './consul-health';

export type { ServiceInstance } from './consul-health';

export interface WatchOptions {
  /** How long Consul may hold a blocking query open. */
  waitSeconds: number;
  /** Least time between two queries, so a flapping index cannot make the loop spin. */
  minIntervalMs: number;
  /** Backoff while Consul is unreachable: from base, doubling, up to cap. */
  errorBackoffBaseMs: number;
  errorBackoffCapMs: number;
}

export const DEFAULT_WATCH: WatchOptions = {
  waitSeconds: 30,
  minIntervalMs: 250,
  errorBackoffBaseMs: 250,
  errorBackoffCapMs: 10_000,
};

/**
 * Keeps the passing instances of one service current with Consul blocking queries on
 * /v1/health/service/<name>?passing, following Consul's rules for X-Consul-Index: reset to 0 when it goes
 * backwards, never use an index below 1, rate-limit the loop. While Consul is unreachable it backs off and
 * keeps reporting the last known instances, so calls go on reaching them. A refused ACL token (403) is no
 * outage: repeating the query cannot help, so it is logged as an error naming the token and retried only
 * at the slowest backoff, in case the token's policy is fixed meanwhile.
 *
 * Emits 'instances' (ServiceInstance[]) whenever the set changes, and 'unreachable' (the reason) when a
 * query fails before Consul has ever answered, so callers learn why there is nothing to dial; 'error'
 * never: failures are logged.
 */
export class ConsulWatcher extends EventEmitter {
  private instances: ServiceInstance[] | undefined;
  private index = 0;
  private stopped = false;
  private readonly cancel = new EventEmitter();
  private consecutiveErrors = 0;
  private aclFilteringNoticed = false;
  /** Completed blocking queries (answered or failed); for tests and metrics. */
  queries = 0;

  constructor(
    private readonly consul: Consul,
    readonly service: string,
    private readonly logger: Logger,
    private readonly options: WatchOptions = DEFAULT_WATCH,
    /** The agent as logs name it. */
    private readonly agent = 'the Consul agent',
  ) {
    super();
    void this.loop();
  }

  /** The last known passing instances; undefined until Consul has answered once. */
  current(): ServiceInstance[] | undefined {
    return this.instances;
  }

  stop(): void {
    this.stopped = true;
    this.cancel.emit('cancel');
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const startedAt = Date.now();
      try {
        await this.query();
        this.consecutiveErrors = 0;
        const elapsed = Date.now() - startedAt;
        if (elapsed < this.options.minIntervalMs) await sleep(this.options.minIntervalMs - elapsed);
      } catch (caught) {
        if (this.stopped) return;
        const error = withTokenRefusal(caught, `for the instances of ${this.service} at ${this.agent}`) as Error;
        const refused = error instanceof ConsulTokenRefused;
        this.consecutiveErrors += 1;
        // Consul may have restarted with a fresh index: start over with a non-blocking query.
        this.index = 0;
        const backoff = refused
          ? this.options.errorBackoffCapMs
          : Math.min(
              this.options.errorBackoffCapMs,
              this.options.errorBackoffBaseMs * 2 ** (this.consecutiveErrors - 1),
            );
        if (this.instances === undefined) {
          this.emit('unreachable', refused ? error.message : `the agent does not answer (${error.message})`);
        }
        const fields = {
          consul_service: this.service,
          known_instances: this.instances?.length ?? 0,
          retry_in_ms: backoff,
          error: error.message,
        };
        if (refused) this.logger.error('consul refused the ACL token; keeping last known instances', fields);
        else this.logger.warn('consul watch failed; keeping last known instances', fields);
        await sleep(backoff);
      } finally {
        this.queries += 1;
      }
    }
  }

  private async query(): Promise<void> {
    const ctx = Object.assign(new EventEmitter(), { includeResponse: true });
    const onCancel = (): boolean => ctx.emit('cancel');
    this.cancel.once('cancel', onCancel);
    try {
      const request = {
        service: this.service,
        passing: true,
        ...(this.index > 0 ? { index: String(this.index), wait: `${this.options.waitSeconds}s` } : {}),
        // Consul holds a blocking query for up to wait (+ wait/16 jitter); past that the agent is not answering.
        timeout: (this.options.waitSeconds + 5) * 1000,
        // includeResponse makes the client return [response, body], so X-Consul-Index can be read.
        ctx,
      };
      const result: unknown = await this.consul.health.service(request);
      // With includeResponse the client answers [response, body]. Anything else is a failure it did not
      // throw (its HTTP layer recognises errors with instanceof, which fails across realms).
      if (!Array.isArray(result) || !Array.isArray(result[1])) {
        // Keeping the response, which tells a refused token (403) from other failures.
        throw Object.assign(
          new Error(`unexpected answer from Consul: ${(result as Error)?.message ?? String(result)}`),
          { response: (result as { response?: unknown } | undefined)?.response },
        );
      }
      const [response, entries] = result as [{ headers: Record<string, string> }, ConsulHealthEntry[]];
      this.noticeAclFiltering(response.headers);
      this.index = nextIndex(this.index, Number(response.headers['x-consul-index']));
      this.update(instancesOfHealthEntries(entries));
    } finally {
      this.cancel.off('cancel', onCancel);
    }
  }

  /**
   * Consul answers a token that may not read some instances (or their nodes) with fewer of them and this
   * header, not with an error: said once, as a warning, since the missing instances look like an outage.
   */
  private noticeAclFiltering(headers: Record<string, string>): void {
    if (this.aclFilteringNoticed || headers['x-consul-results-filtered-by-acls'] !== 'true') return;
    this.aclFilteringNoticed = true;
    this.logger.warn('consul hid instances from this ACL token', {
      consul_service: this.service,
      agent: this.agent,
      remedy: `the token needs service:read on ${this.service} and node:read on its nodes`,
    });
  }

  private update(instances: ServiceInstance[]): void {
    instances.sort((a, b) => a.id.localeCompare(b.id));
    const changed =
      this.instances === undefined ||
      this.instances.length !== instances.length ||
      this.instances.some(
        (known, i) =>
          known.id !== instances[i]!.id || known.address !== instances[i]!.address || known.port !== instances[i]!.port,
      );
    if (!changed) return;
    this.instances = instances;
    this.logger.info('service instances changed', {
      consul_service: this.service,
      instances: instances.map((instance) => `${instance.address}:${instance.port}`),
    });
    this.emit('instances', instances);
  }
}

/** Consul's index rules for blocking queries (see "Blocking Queries" in Consul's API docs). */
export function nextIndex(previous: number, received: number): number {
  if (!Number.isFinite(received) || received < 1) return 1;
  // The index went backwards (Consul restarted or restored a snapshot): start again from scratch.
  if (received < previous) return 0;
  return received;
}
