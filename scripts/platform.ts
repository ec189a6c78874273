import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { EDGE, SERVICE_NAMES, SERVICES, type ServiceName } from '@streamplane/contracts';
import { staticAddressVariable, type Dependency } from '@streamplane/platform';
import { checkGrpcHealth, grpcHealthClient, type GrpcHealthClient } from './grpc-health';
import { checkHttpHealth } from './http-health';
import { freePortBelowEphemeralRange, isPortFree, portInUseMessage } from './ports';
import { spawnService } from './service-command';
import {
  FatalStartError,
  Supervisor,
  type Health,
  type ProcessCallbacks,
  type ServiceState,
  type SupervisorEvent,
  type SupervisorOptions,
} from './supervisor';

/**
 * The whole platform as supervised local processes: what `npm start` runs and what the end-to-end tests
 * drive (the supervision rules are in supervisor.ts). Every service gets fixed addresses for its peers
 * (static discovery), so a service that dies is restarted on the same port and its callers find it again
 * without being restarted themselves. Consul, PostgreSQL, Redis and an OTLP endpoint are used when their
 * variables are in `env`.
 */

/** What the platform supervises: the seven gRPC services and, with `withEdge`, the HTTP edge. */
export type Component = ServiceName | typeof EDGE.name;

/** Whom each service (or the edge) calls: the dependencies its package declares. */
export function declaredDependencies(service: Component): ServiceName[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- one package per service, by name
  const { DEPENDENCIES } = require(`@streamplane/${service}/dependencies`) as { DEPENDENCIES: Dependency[] };
  return DEPENDENCIES.map((dependency) => dependency.service.name as ServiceName);
}

/**
 * Every service of the registry, each after the services it calls (and otherwise in registry order): the
 * order they are listed in, and a valid start order.
 */
export const START_ORDER: readonly ServiceName[] = (() => {
  const ordered: ServiceName[] = [];
  const visit = (service: ServiceName, path: readonly ServiceName[]) => {
    if (ordered.includes(service)) return;
    if (path.includes(service))
      throw new Error(`the services call each other in a circle: ${[...path, service].join(' → ')}`);
    for (const dependency of declaredDependencies(service)) visit(dependency, [...path, service]);
    ordered.push(service);
  };
  for (const service of SERVICE_NAMES) visit(service, []);
  return ordered;
})();

export interface PlatformOptions {
  /**
   * `design`: 50051–50057 and metrics 9451–9457, as documented; `{ offset: N }`: each of those plus N, to
   * run beside something that holds them; `free`: any free ports (tests).
   */
  ports: 'design' | 'free' | { offset: number };
  /** Environment for every service (inherits nothing else but PATH). */
  env?: NodeJS.ProcessEnv;
  onEvent?: (event: SupervisorEvent) => void;
  restart?: SupervisorOptions['restart'];
  /** Also run the edge (HTTP 8080, metrics 9480 by design), started after catalog and steering. */
  withEdge?: boolean;
}

interface Ports {
  /** The service's gRPC port; the edge's HTTP port. */
  grpc: number;
  metrics: number;
}

export class Platform {
  private readonly health = new Map<ServiceName, GrpcHealthClient>();
  private readonly supervisor: Supervisor;

  private constructor(
    private readonly ports: ReadonlyMap<Component, Ports>,
    options: PlatformOptions,
  ) {
    const peers = Object.fromEntries(
      SERVICE_NAMES.map((name) => [staticAddressVariable(name), `127.0.0.1:${ports.get(name)!.grpc}`]),
    );
    const environmentOf = (name: Component): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH,
      GRPC_HOST: '127.0.0.1',
      METRICS_HOST: '127.0.0.1',
      ...peers,
      ...options.env,
      ...(name === EDGE.name
        ? { HTTP_HOST: '127.0.0.1', HTTP_PORT: String(ports.get(name)!.grpc) }
        : { GRPC_PORT: String(ports.get(name)!.grpc) }),
      METRICS_PORT: String(ports.get(name)!.metrics),
    });
    const components: Component[] = [...START_ORDER, ...(ports.has(EDGE.name) ? [EDGE.name] : [])];
    this.supervisor = new Supervisor({
      services: components.map((name) => ({ name, dependsOn: declaredDependencies(name) })),
      launch: (name, callbacks) => launchProcess(name as Component, environmentOf(name as Component), callbacks),
      probe: (name) => this.probe(name as Component),
      restart: options.restart,
      onEvent: options.onEvent,
    });
  }

  /**
   * Starts every service and resolves once all are up; on a fatal error, or when not all are up within
   * `readyTimeoutMs`, stops what started and rejects.
   */
  static async start(options: PlatformOptions & { readyTimeoutMs?: number }): Promise<Platform> {
    const platform = await Platform.launch(options);
    const timeoutMs = options.readyTimeoutMs ?? 90_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `not every service was up within ${timeoutMs} ms: ${JSON.stringify(platform.supervisor.states())}`,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      await Promise.race([platform.ready(), timedOut]);
    } catch (error) {
      await platform.stop();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    return platform;
  }

  /**
   * Checks what must hold before anything starts (ports free, Consul reachable when asked for), then
   * launches the services in dependency order and returns at once; `ready()` says when all are up.
   */
  static async launch(options: PlatformOptions): Promise<Platform> {
    const ports = await choosePorts(options.ports, options.withEdge ?? false);
    await checkPreconditions(ports, options.env ?? {});
    const platform = new Platform(ports, options);
    platform.supervisor.start();
    return platform;
  }

  /** Resolves once every service answers health (SERVING or NOT_SERVING); rejects on a fatal error. */
  ready(): Promise<void> {
    return this.supervisor.allUp();
  }

  state(service: Component): ServiceState {
    return this.supervisor.state(service);
  }

  /** The service's process id while it runs (the bench reads its memory). */
  pid(service: Component): number | undefined {
    return this.supervisor.pid(service);
  }

  /** host:port of a service's gRPC, or of the edge's HTTP. */
  address(service: Component): string {
    return `127.0.0.1:${this.port(service)}`;
  }

  port(service: Component): number {
    return this.ports.get(service)!.grpc;
  }

  metricsPort(service: Component): number {
    return this.ports.get(service)!.metrics;
  }

  /**
   * Stops one service for good (until `resume`): an outage that the supervisor does not repair. `kill`
   * stops it with SIGKILL, as a crash would, instead of letting it drain.
   */
  pause(service: ServiceName, how: 'drain' | 'kill' = 'drain'): Promise<void> {
    return this.supervisor.pause(service, how);
  }

  /** Freezes a service with SIGSTOP: its connections stay open and nothing answers, until `thaw`. */
  freeze(service: ServiceName): void {
    this.signal(service, 'SIGSTOP');
  }

  thaw(service: ServiceName): void {
    this.signal(service, 'SIGCONT');
  }

  private signal(service: ServiceName, signal: NodeJS.Signals): void {
    const pid = this.pid(service);
    if (pid === undefined) throw new Error(`${service} is not running`);
    process.kill(pid, signal);
  }

  /** Starts a paused service again on its port; resolves when it serves. */
  async resume(service: ServiceName): Promise<void> {
    this.supervisor.resume(service);
    await this.serving(service);
  }

  /** SIGKILLs a service, as a crash would; the supervisor restarts it with backoff. */
  crash(service: ServiceName): void {
    this.supervisor.crash(service);
  }

  /** Resolves when `service` answers SERVING (again); rejects after `timeoutMs`. */
  async serving(service: ServiceName, timeoutMs = 60_000): Promise<void> {
    const giveUpAt = Date.now() + timeoutMs;
    while (this.supervisor.state(service) !== 'SERVING') {
      if (Date.now() > giveUpAt) throw new Error(`${service} did not report SERVING within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops every service, dependents first, each draining its in-flight calls; safe at any moment. */
  async stop(): Promise<void> {
    await this.supervisor.stop();
    for (const client of this.health.values()) client.close();
    this.health.clear();
  }

  private probe(service: Component): Promise<Health> {
    if (service === EDGE.name) return checkHttpHealth(`http://${this.address(service)}/healthz`);
    let client = this.health.get(service);
    if (!client) {
      client = grpcHealthClient(this.address(service));
      this.health.set(service, client);
    }
    return checkGrpcHealth(client);
  }
}

async function choosePorts(choice: PlatformOptions['ports'], withEdge: boolean): Promise<Map<Component, Ports>> {
  const ports = new Map<Component, Ports>();
  const chosen = new Set<number>();
  // Below the ephemeral range: nothing binding port 0 meanwhile (other tests) can take them first.
  const unchosen = async (): Promise<number> => {
    for (;;) {
      const port = await freePortBelowEphemeralRange();
      if (!chosen.has(port)) {
        chosen.add(port);
        return port;
      }
    }
  };
  for (const name of SERVICE_NAMES) {
    if (choice === 'free') {
      ports.set(name, { grpc: await unchosen(), metrics: await unchosen() });
    } else {
      const offset = choice === 'design' ? 0 : choice.offset;
      ports.set(name, { grpc: SERVICES[name].port + offset, metrics: SERVICES[name].metricsPort + offset });
    }
  }
  if (withEdge) {
    const offset = choice === 'free' ? undefined : choice === 'design' ? 0 : choice.offset;
    ports.set(
      EDGE.name,
      offset === undefined
        ? { grpc: await unchosen(), metrics: await unchosen() }
        : { grpc: EDGE.httpPort + offset, metrics: EDGE.metricsPort + offset },
    );
  }
  return ports;
}

/** A taken port or an unreachable Consul is named in one line before anything starts. */
export async function checkPreconditions(ports: ReadonlyMap<Component, Ports>, env: NodeJS.ProcessEnv): Promise<void> {
  for (const [name, { grpc, metrics }] of ports) {
    for (const port of [grpc, metrics]) {
      if (!(await isPortFree(port))) {
        throw new FatalStartError(name, `${portInUseMessage(port)}; stop it, or start with --port-offset N`);
      }
    }
  }
  if (env.STREAMPLANE_DISCOVERY === 'consul') {
    const agent = (env.CONSUL_HTTP_ADDR ?? '127.0.0.1:8500').replace(/^https?:\/\//, '');
    const problem = await consulProblem(agent);
    if (problem) {
      throw new FatalStartError(
        'consul',
        `no Consul agent answers at ${agent} (${problem}): start one, point CONSUL_HTTP_ADDR at it, or unset STREAMPLANE_DISCOVERY`,
      );
    }
  }
}

/** Why the Consul agent at host:port cannot be used, or undefined when it answers. */
async function consulProblem(agent: string): Promise<string | undefined> {
  try {
    const response = await fetch(`http://${agent}/v1/status/leader`, { signal: AbortSignal.timeout(2_000) });
    return response.ok ? undefined : `HTTP ${response.status}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? (error as Error).message;
  }
}

function launchProcess(service: Component, env: NodeJS.ProcessEnv, callbacks: ProcessCallbacks): ChildProcess {
  const child = spawnService(service, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: child.stdout! }).on('line', (line) => callbacks.onLine(line, 'stdout'));
  createInterface({ input: child.stderr! }).on('line', (line) => callbacks.onLine(line, 'stderr'));
  child.once('exit', (code, signal) => callbacks.onExit(code, signal));
  return child;
}
