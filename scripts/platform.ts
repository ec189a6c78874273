import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CONTROL_ROOM, EDGE, SERVICE_NAMES, SERVICES, type ServiceName } from '@streamplane/contracts';
import { staticAddressVariable, type Dependency } from '@streamplane/platform';
import { checkGrpcHealth, grpcHealthClient, type GrpcHealthClient } from './grpc-health';
import { checkHttpHealth } from './http-health';
import { freePortBelowEphemeralRange, isPortFree, portInUseMessage } from './ports';
import { spawnService } from './service-command';
import { DevelopmentCa, developmentCaDirectory } from './certificates';
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

/**
 * What the platform supervises: the seven gRPC services and, with `withEdge`, the HTTP edge and, with
 * `withControlRoom`, the control room.
 */
export type Component = ServiceName | typeof EDGE.name | typeof CONTROL_ROOM.name;

/** Whom each service (or the edge) calls: the dependencies its package declares. */
export function declaredDependencies(service: Component): ServiceName[] {
  // The control room reads every service but calls none: it starts first, so it sees each one come up.
  if (service === CONTROL_ROOM.name) return [];
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
  /**
   * Also run the control room (its page on 9400, an OTLP trace receiver on 9401 by design), started first;
   * the services export their traces to it unless `env` sets OTEL_EXPORTER_OTLP_ENDPOINT.
   */
  withControlRoom?: boolean;
  /**
   * Under STREAMPLANE_TLS=enabled in `env`: the CA that issues each component its certificate (identity:
   * its name); by default the development CA (STREAMPLANE_DEV_CA_DIR, or dev-ca/ in the run directory).
   */
  certificateAuthority?: DevelopmentCa;
}

interface Ports {
  /** The service's gRPC port; the edge's and the control room's HTTP port. */
  serving: number;
  /** Prometheus /metrics (none for the control room). */
  metrics?: number;
  /** The plaintext gRPC health port (HEALTH_PORT) of a service. */
  health?: number;
  /** The control room's OTLP/gRPC trace receiver. */
  otlp?: number;
}

export class Platform {
  private readonly health = new Map<ServiceName, GrpcHealthClient>();
  private readonly supervisor: Supervisor;
  /** Under mutual TLS, the CA that issued every component its certificate; undefined in plaintext. */
  readonly certificateAuthority?: DevelopmentCa;

  private constructor(
    private readonly ports: ReadonlyMap<Component, Ports>,
    options: PlatformOptions,
  ) {
    const peers = Object.fromEntries(
      SERVICE_NAMES.map((name) => [staticAddressVariable(name), `127.0.0.1:${ports.get(name)!.serving}`]),
    );
    const controlRoom = ports.get(CONTROL_ROOM.name);
    const traceExport =
      controlRoom && !options.env?.OTEL_EXPORTER_OTLP_ENDPOINT
        ? { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${controlRoom.otlp}` }
        : {};
    const tls = options.env?.STREAMPLANE_TLS === 'enabled';
    if (tls) {
      this.certificateAuthority =
        options.certificateAuthority ?? DevelopmentCa.open(developmentCaDirectory(options.env ?? {}));
    }
    const ca = this.certificateAuthority;
    const environmentOf = (name: Component): NodeJS.ProcessEnv => {
      const own = ports.get(name)!;
      if (name === CONTROL_ROOM.name) {
        return {
          PATH: process.env.PATH,
          ...options.env,
          HTTP_HOST: '127.0.0.1',
          HTTP_PORT: String(own.serving),
          OTLP_PORT: String(own.otlp),
          // The control room presents no certificate: under TLS it asks health where probes do.
          CONTROL_ROOM_TARGETS: controlRoomTargets(ports, tls ? 'health' : 'serving'),
        };
      }
      return {
        PATH: process.env.PATH,
        GRPC_HOST: '127.0.0.1',
        METRICS_HOST: '127.0.0.1',
        ...peers,
        ...traceExport,
        ...options.env,
        ...(name === EDGE.name
          ? { HTTP_HOST: '127.0.0.1', HTTP_PORT: String(own.serving) }
          : { GRPC_PORT: String(own.serving), HEALTH_PORT: String(own.health) }),
        METRICS_PORT: String(own.metrics),
        ...(ca && { STREAMPLANE_TLS_DIR: ca.issueInto(name, join(ca.dir, 'components', name)) }),
      };
    };
    const components: Component[] = [
      ...(controlRoom ? [CONTROL_ROOM.name] : []),
      ...START_ORDER,
      ...(ports.has(EDGE.name) ? [EDGE.name] : []),
    ];
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
    const ports = await choosePorts(options.ports, {
      withEdge: options.withEdge ?? false,
      withControlRoom: options.withControlRoom ?? false,
    });
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

  /** host:port of a service's gRPC, or of the edge's or the control room's HTTP. */
  address(service: Component): string {
    return `127.0.0.1:${this.port(service)}`;
  }

  port(service: Component): number {
    return this.ports.get(service)!.serving;
  }

  /** The port of a service's plaintext gRPC health (HEALTH_PORT). */
  healthPort(service: ServiceName): number {
    return this.ports.get(service)!.health!;
  }

  /** The port of its Prometheus /metrics; undefined for the control room, which has none. */
  metricsPort(service: Component): number | undefined {
    return this.ports.get(service)!.metrics;
  }

  /** The control room's OTLP/gRPC trace receiver port, when it runs. */
  otlpPort(): number | undefined {
    return this.ports.get(CONTROL_ROOM.name)?.otlp;
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
    if (service === EDGE.name || service === CONTROL_ROOM.name) {
      return checkHttpHealth(`http://${this.address(service)}/healthz`);
    }
    let client = this.health.get(service);
    if (!client) {
      // The plaintext health port: it answers as the service port does, and needs no certificate under TLS.
      client = grpcHealthClient(`127.0.0.1:${this.healthPort(service)}`);
      this.health.set(service, client);
    }
    return checkGrpcHealth(client);
  }
}

async function choosePorts(
  choice: PlatformOptions['ports'],
  { withEdge, withControlRoom }: { withEdge: boolean; withControlRoom: boolean },
): Promise<Map<Component, Ports>> {
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
  // A design port moved by the offset, or any free port for `free`.
  const port = async (designPort: number): Promise<number> =>
    choice === 'free' ? unchosen() : designPort + (choice === 'design' ? 0 : choice.offset);
  for (const name of SERVICE_NAMES) {
    ports.set(name, {
      serving: await port(SERVICES[name].port),
      metrics: await port(SERVICES[name].metricsPort),
      health: await port(SERVICES[name].healthPort),
    });
  }
  if (withEdge) ports.set(EDGE.name, { serving: await port(EDGE.httpPort), metrics: await port(EDGE.metricsPort) });
  if (withControlRoom) {
    ports.set(CONTROL_ROOM.name, {
      serving: await port(CONTROL_ROOM.httpPort),
      otlp: await port(CONTROL_ROOM.otlpPort),
    });
  }
  return ports;
}

/**
 * What the control room watches: every other component's metrics port on loopback, and the port it asks
 * health on: the serving one, or (`health`) the services' plaintext health ports.
 */
function controlRoomTargets(ports: ReadonlyMap<Component, Ports>, probed: 'serving' | 'health'): string {
  return [...ports]
    .filter(([name]) => name !== CONTROL_ROOM.name)
    .map(([name, own]) => `${name}=127.0.0.1:${(probed === 'health' && own.health) || own.serving}/${own.metrics}`)
    .join(',');
}

/** A taken port or an unreachable Consul is named in one line before anything starts. */
export async function checkPreconditions(ports: ReadonlyMap<Component, Ports>, env: NodeJS.ProcessEnv): Promise<void> {
  for (const [name, { serving, metrics, health, otlp }] of ports) {
    for (const port of [serving, metrics, health, otlp].filter((taken) => taken !== undefined)) {
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
