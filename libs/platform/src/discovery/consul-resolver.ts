import { experimental, Metadata, status as GrpcStatus, type ChannelOptions } from '@grpc/grpc-js';
import type { Logger } from '../logging/logger';
import { consulClient, describeAgent, type ConsulConnection } from './consul-connection';
import { ConsulWatcher, DEFAULT_WATCH, type ServiceInstance, type WatchOptions } from './consul-watcher';

/**
 * A grpc-js name resolver for `consul:///<service>` (or `consul://<agent host:port>/<service>`): the
 * channel's addresses are the service's passing instances in Consul, updated as they change, so an
 * instance that fails its health check leaves round-robin rotation without anyone restarting anything.
 * Watchers are shared: every channel to one service uses one blocking-query loop. Every query goes out
 * with the connection's transport and token, to the target's agent or the connection's own.
 */

interface WatcherEntry {
  watcher: ConsulWatcher;
  users: number;
}

interface ResolverSettings {
  /** Its agent is the one of `consul:///<service>`; `consul://<agent>/<service>` names its own. */
  connection: ConsulConnection;
  logger?: Logger;
  watch: WatchOptions;
}

/** Before useConsulResolver: plain http without a token, and no default agent. */
const PLAIN_CONNECTION: ConsulConnection = { agent: '', secure: false };
const settings: ResolverSettings = { connection: PLAIN_CONNECTION, watch: DEFAULT_WATCH };
const watchers = new Map<string, WatcherEntry>();
let registered = false;

/**
 * Registers the `consul` scheme with grpc-js (once per process) and sets how Consul is reached: without a
 * connection, only `consul://<agent>/<service>` targets resolve, over plain http without a token.
 */
export function useConsulResolver(options: {
  connection?: ConsulConnection;
  logger: Logger;
  watch?: Partial<WatchOptions>;
}): void {
  settings.connection = options.connection ?? PLAIN_CONNECTION;
  settings.logger = options.logger;
  settings.watch = { ...DEFAULT_WATCH, ...options.watch };
  if (!registered) {
    experimental.registerResolver('consul', ConsulResolver);
    registered = true;
  }
}

/** Stops every watch loop (shutdown). */
export function stopConsulWatchers(): void {
  for (const { watcher } of watchers.values()) watcher.stop();
  watchers.clear();
}

function acquireWatcher(agent: string, service: string): ConsulWatcher {
  const key = `${agent}/${service}`;
  let entry = watchers.get(key);
  if (!entry) {
    const logger = settings.logger;
    if (!logger) throw new Error('useConsulResolver() must be called before a consul:/// target is used');
    const client = consulClient(settings.connection, agent);
    const watcher = new ConsulWatcher(
      client,
      service,
      logger,
      settings.watch,
      describeAgent(settings.connection, agent),
    );
    entry = { watcher, users: 0 };
    watchers.set(key, entry);
  }
  entry.users += 1;
  return entry.watcher;
}

function releaseWatcher(agent: string, service: string): void {
  const key = `${agent}/${service}`;
  const entry = watchers.get(key);
  if (!entry) return;
  entry.users -= 1;
  if (entry.users <= 0) {
    entry.watcher.stop();
    watchers.delete(key);
  }
}

class ConsulResolver implements experimental.Resolver {
  private readonly agent: string;
  private readonly service: string;
  private watcher?: ConsulWatcher;
  private reported?: ServiceInstance[];
  private readonly onInstances = (instances: ServiceInstance[]): void => this.report(instances);
  private readonly onUnreachable = (reason: string): void =>
    this.reportError(`no instance of ${this.service} known to Consul at ${this.agent}: ${reason}`);

  constructor(
    target: experimental.GrpcUri,
    private readonly listener: experimental.ResolverListener,
    _options: ChannelOptions,
  ) {
    this.service = target.path.replace(/^\//, '');
    const agent = target.authority || settings.connection.agent;
    if (!agent) throw new Error(`no Consul agent for ${experimental.uriToString(target)}: set CONSUL_HTTP_ADDR`);
    this.agent = agent;
  }

  static getDefaultAuthority(target: experimental.GrpcUri): string {
    return target.path.replace(/^\//, '');
  }

  updateResolution(): void {
    if (!this.watcher) {
      this.watcher = acquireWatcher(this.agent, this.service);
      this.watcher.on('instances', this.onInstances);
      this.watcher.on('unreachable', this.onUnreachable);
    }
    const known = this.watcher.current();
    // The watcher pushes every change; here only a set this resolver has not reported yet is reported.
    // grpc-js asks for re-resolution whenever a connection drops, and answering each request with the same
    // list would spin. Never synchronously from updateResolution (grpc-js's contract); before Consul's
    // first answer there is nothing to report, and the watcher's 'instances' event will do it.
    if (known && known !== this.reported) process.nextTick(() => this.report(known));
  }

  destroy(): void {
    if (!this.watcher) return;
    this.watcher.off('instances', this.onInstances);
    this.watcher.off('unreachable', this.onUnreachable);
    this.watcher = undefined;
    this.reported = undefined;
    releaseWatcher(this.agent, this.service);
  }

  private report(instances: ServiceInstance[]): void {
    if (!this.watcher || instances === this.reported) return;
    this.reported = instances;
    const endpoints = instances.map((instance) => ({ addresses: [{ host: instance.address, port: instance.port }] }));
    this.listener(experimental.statusOrFromValue(endpoints), {}, null, '');
    if (instances.length === 0) {
      // No passing instance must mean no traffic, failing fast. The empty list above drops the old
      // connections (after an error alone grpc-js would keep dialling them); this error then makes calls
      // fail with UNAVAILABLE at once, where an empty list alone would queue them until their deadline.
      this.reportError(`no passing instance of ${this.service} known to Consul at ${this.agent}`);
    }
  }

  /** Calls fail at once with UNAVAILABLE and this reason, instead of waiting for a resolution that won't come. */
  private reportError(details: string): void {
    this.listener(
      experimental.statusOrFromError({ code: GrpcStatus.UNAVAILABLE, details, metadata: new Metadata() }),
      {},
      null,
      details,
    );
  }
}
