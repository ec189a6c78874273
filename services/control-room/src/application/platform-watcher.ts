import { setTimeout as sleep } from 'node:timers/promises';
import { EDGE } from '@streamplane/contracts';
import { isNotTargetFailure, type Clock, type Logger } from '@streamplane/platform';
import type { WatchTarget } from '../config';
import {
  hostPort,
  parsePrometheusText,
  platformView,
  ScrapeHistory,
  type CallEdge,
  type Health,
  type IsFailure,
  type ObservedComponent,
  type PlatformView,
} from '../domain';
import type { HealthProber, HealthProtocol, InstanceResolver, MetricsReader } from './ports';

/** A failure exactly as the callers' breakers count one (caller errors and overload refusals are not). */
export const isTargetFailure: IsFailure = (code) => code !== 0 && !isNotTargetFailure({ code });

export interface WatcherOptions {
  readonly pollMs: number;
  readonly windowMs: number;
}

export interface WatchedPlatform extends PlatformView {
  /** When the last round of health checks and scrapes ended; undefined before the first. */
  readonly updatedAt?: Date;
}

interface InstanceState {
  health: Health;
  readonly history: ScrapeHistory;
}

/**
 * Every poll, resolves each target's instances, asks each its health and reads its metrics, all at once,
 * then computes the platform's view from what came back. Rounds never overlap: a slow one delays the next.
 * A problem of one instance (refused, timed out, unparsable) is that instance's state, never the round's.
 */
export class PlatformWatcher {
  private readonly instances = new Map<string, InstanceState>();
  private readonly addresses = new Map<string, string[]>();
  /** Instances whose metrics had lines the parser did not read, so that each is logged once. */
  private readonly oddMetrics = new Set<string>();
  private current: WatchedPlatform;
  private readonly stopped = new AbortController();
  private loop?: Promise<void>;

  constructor(
    private readonly targets: readonly WatchTarget[],
    private readonly graph: readonly CallEdge[],
    private readonly io: { metrics: MetricsReader; health: HealthProber; resolver: InstanceResolver },
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: WatcherOptions,
  ) {
    this.current = { ...this.compute(), updatedAt: undefined };
  }

  /** The view as of the last round. */
  view(): WatchedPlatform {
    return this.current;
  }

  start(): void {
    this.loop ??= (async () => {
      while (!this.stopped.signal.aborted) {
        const startedMs = this.clock.now().getTime();
        // A round that fails (a bug, never an instance's problem) must not stop the page updating.
        await this.poll().catch((error: unknown) => this.logger.error('poll failed', { error }));
        const restMs = Math.max(0, this.options.pollMs - (this.clock.now().getTime() - startedMs));
        await sleep(restMs, undefined, { signal: this.stopped.signal }).catch(() => undefined);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped.abort();
    await this.loop;
    this.io.health.close();
  }

  /** One round: every instance of every target, then the view. */
  async poll(): Promise<void> {
    await Promise.all(this.targets.map((target) => this.pollTarget(target)));
    const live = new Set(
      this.targets.flatMap((target) => this.addressesOf(target).map((address) => hostPort(address, target.port))),
    );
    this.io.health.retainOnly(live);
    this.current = { ...this.compute(), updatedAt: this.clock.now() };
  }

  private addressesOf(target: WatchTarget): string[] {
    return this.addresses.get(target.name) ?? [];
  }

  private async pollTarget(target: WatchTarget): Promise<void> {
    const addresses = await this.io.resolver.resolve(target.host).catch((error: Error) => {
      this.logger.debug('no instances resolved', { target: target.name, host: target.host, error: error.message });
      return [];
    });
    const known = new Set(addresses.map((address) => instanceKey(target, address)));
    for (const key of this.instances.keys()) {
      if (!key.startsWith(`${target.name} `) || known.has(key)) continue;
      this.instances.delete(key);
      this.oddMetrics.delete(key);
    }
    this.addresses.set(target.name, addresses);
    const protocol: HealthProtocol = target.name === EDGE.name ? 'http' : 'grpc';
    await Promise.all(
      addresses.map(async (address) => {
        const key = instanceKey(target, address);
        let instance = this.instances.get(key);
        if (!instance) {
          instance = { health: 'UNKNOWN', history: new ScrapeHistory(this.options.windowMs) };
          this.instances.set(key, instance);
        }
        const [health] = await Promise.all([
          this.io.health.check(protocol, address, target.port),
          this.scrape(key, instance, address, target.metricsPort),
        ]);
        instance.health = health;
      }),
    );
  }

  private async scrape(key: string, instance: InstanceState, host: string, port: number): Promise<void> {
    let text: string;
    try {
      text = await this.io.metrics.read(host, port);
    } catch {
      return; // Its history goes stale and is forgotten after a window; its health says why.
    }
    const { samples, problems } = parsePrometheusText(text);
    if (problems.length > 0 && !this.oddMetrics.has(key)) {
      this.oddMetrics.add(key);
      this.logger.warn('metrics lines not understood', { instance: key, count: problems.length, first: problems[0] });
    }
    instance.history.add({ atMs: this.clock.now().getTime(), samples });
  }

  private compute(): PlatformView {
    const nowMs = this.clock.now().getTime();
    const components = this.targets.map((target): ObservedComponent => {
      const address = hostPort(target.host, target.port);
      const resolved = this.addresses.get(target.name);
      return {
        name: target.name,
        address,
        servesGrpc: target.name !== EDGE.name,
        // Before its first round a target is one instance of unknown health, at its configured address.
        instances:
          resolved === undefined
            ? [{ address, health: 'UNKNOWN' }]
            : resolved.map((instanceAddress) => {
                const instance = this.instances.get(instanceKey(target, instanceAddress))!;
                return {
                  address: hostPort(instanceAddress, target.port),
                  health: instance.health,
                  window: instance.history.window(nowMs),
                };
              }),
      };
    });
    return platformView(components, this.graph, isTargetFailure);
  }
}

function instanceKey(target: WatchTarget, address: string): string {
  return `${target.name} ${address}`;
}
