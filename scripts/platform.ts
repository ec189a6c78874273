import { credentials, loadPackageDefinition, type Client, type ServiceError } from '@grpc/grpc-js';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { staticAddressVariable, loadProtos } from '@streamplane/platform';
import { SERVICE_NAMES, SERVICES, type ServiceName } from '@streamplane/contracts';
import { freePort } from './free-port';
import { spawnService } from './service-command';

/**
 * The whole platform as supervised local processes: what `npm start` runs and what the end-to-end tests
 * drive. Every service gets fixed addresses for its peers (static discovery), so a service that dies is
 * restarted on the same port and its callers find it again without being restarted themselves.
 * Consul, PostgreSQL, Redis and an OTLP endpoint are used when their variables are in `env`.
 */

/** Dependencies first, so each service's peers are listening by the time it makes its first call. */
export const START_ORDER: readonly ServiceName[] = [
  'catalog',
  'profiles',
  'billing',
  'subtitles',
  'recommendations',
  'steering',
  'playback-authorization',
];

export type PlatformEvent =
  | { kind: 'starting'; service: ServiceName; attempt: number }
  | { kind: 'serving'; service: ServiceName }
  | { kind: 'exited'; service: ServiceName; code: number | null; signal: string | null; lastLines: string[] }
  | { kind: 'restarting'; service: ServiceName; inMs: number; attempt: number };

export interface PlatformOptions {
  /** `design`: 50051–50057 and metrics 9451–9457, as documented. `free`: any free ports (tests). */
  ports: 'design' | 'free';
  /** Environment for every service (inherits nothing else but PATH). */
  env?: NodeJS.ProcessEnv;
  /** Each log line of each service, as written. */
  onLine?: (service: ServiceName, line: string, stream: 'stdout' | 'stderr') => void;
  onEvent?: (event: PlatformEvent) => void;
  /** Backoff between restarts of a service that died: doubles from baseMs up to capMs. */
  restart?: { baseMs: number; capMs: number };
}

/** Lines of a dead service's output shown when it is reported. */
const LAST_LINES = 20;
/** A service serving this long is healthy again: its next death starts the backoff from the base. */
const STABLE_AFTER_MS = 30_000;
const HEALTH_POLL_MS = 100;
const SERVING_TIMEOUT_MS = 60_000;

class SupervisedService {
  child: ChildProcess | undefined;
  private readonly recent: string[] = [];
  private attempt = 0;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private servingSince = 0;
  private exitedPromise: Promise<void> = Promise.resolve();

  constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly environment: NodeJS.ProcessEnv,
    private readonly options: PlatformOptions,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  start(): void {
    this.stopped = false;
    this.attempt++;
    this.options.onEvent?.({ kind: 'starting', service: this.name, attempt: this.attempt });
    const child = spawnService(this.name, { env: this.environment, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const remember = (stream: 'stdout' | 'stderr') => (line: string) => {
      this.recent.push(line);
      if (this.recent.length > LAST_LINES) this.recent.shift();
      this.options.onLine?.(this.name, line, stream);
    };
    createInterface({ input: child.stdout! }).on('line', remember('stdout'));
    createInterface({ input: child.stderr! }).on('line', remember('stderr'));
    this.exitedPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.child = undefined;
        this.options.onEvent?.({
          kind: 'exited',
          service: this.name,
          code,
          signal,
          lastLines: [...this.recent],
        });
        if (!this.stopped) this.scheduleRestart();
        resolve();
      });
    });
  }

  /** Resolves once the service answers its health check with SERVING; rejects after `timeoutMs`. */
  async serving(timeoutMs = SERVING_TIMEOUT_MS): Promise<void> {
    const health = healthClient(this.address);
    const giveUpAt = Date.now() + timeoutMs;
    try {
      while (!(await isServing(health))) {
        if (Date.now() > giveUpAt) {
          throw new Error(`${this.name} did not report SERVING within ${timeoutMs} ms:\n${this.recent.join('\n')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
      }
    } finally {
      health.close();
    }
    this.servingSince = Date.now();
    this.options.onEvent?.({ kind: 'serving', service: this.name });
  }

  /** From now on a death is final: no restart. */
  retire(): void {
    this.stopped = true;
    clearTimeout(this.restartTimer);
  }

  /** Stops the service (SIGTERM: it drains), without restarting it. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.retire();
    this.child?.kill(signal);
    await this.exitedPromise;
  }

  /** Kills the process as a crash would; the supervisor restarts it. */
  crash(): void {
    this.child?.kill('SIGKILL');
  }

  private scheduleRestart(): void {
    const backoff = this.options.restart ?? { baseMs: 500, capMs: 30_000 };
    if (Date.now() - this.servingSince > STABLE_AFTER_MS) this.attempt = 0;
    const inMs = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.max(0, this.attempt - 1));
    this.options.onEvent?.({ kind: 'restarting', service: this.name, inMs, attempt: this.attempt + 1 });
    this.restartTimer = setTimeout(() => {
      this.start();
      void this.serving().catch(() => undefined);
    }, inMs);
  }
}

export class Platform {
  private constructor(private readonly services: ReadonlyMap<ServiceName, SupervisedService>) {}

  static async start(options: PlatformOptions): Promise<Platform> {
    const ports = new Map<ServiceName, { grpc: number; metrics: number }>();
    for (const name of SERVICE_NAMES) {
      ports.set(
        name,
        options.ports === 'design'
          ? { grpc: SERVICES[name].port, metrics: SERVICES[name].metricsPort }
          : { grpc: await freePort(), metrics: await freePort() },
      );
    }
    const peers = Object.fromEntries(
      SERVICE_NAMES.map((name) => [staticAddressVariable(name), `127.0.0.1:${ports.get(name)!.grpc}`]),
    );
    const services = new Map<ServiceName, SupervisedService>();
    for (const name of START_ORDER) {
      const { grpc, metrics } = ports.get(name)!;
      const environment = {
        PATH: process.env.PATH,
        GRPC_HOST: '127.0.0.1',
        METRICS_HOST: '127.0.0.1',
        ...peers,
        ...options.env,
        GRPC_PORT: String(grpc),
        METRICS_PORT: String(metrics),
      };
      services.set(name, new SupervisedService(name, grpc, environment, options));
    }
    const platform = new Platform(services);
    try {
      for (const service of services.values()) service.start();
      await Promise.all([...services.values()].map((service) => service.serving()));
    } catch (error) {
      await platform.stop();
      throw error;
    }
    return platform;
  }

  address(service: ServiceName): string {
    return this.services.get(service)!.address;
  }

  port(service: ServiceName): number {
    return this.services.get(service)!.port;
  }

  /** Stops one service for good (until `resume`): an outage that the supervisor does not repair. */
  pause(service: ServiceName): Promise<void> {
    return this.services.get(service)!.stop();
  }

  /** Starts a paused service again on its port; resolves when it serves. */
  async resume(service: ServiceName): Promise<void> {
    const supervised = this.services.get(service)!;
    supervised.start();
    await supervised.serving();
  }

  /** SIGKILLs a service, as a crash would; the supervisor restarts it with backoff. */
  crash(service: ServiceName): void {
    this.services.get(service)!.crash();
  }

  /** Resolves when `service` answers SERVING again. */
  serving(service: ServiceName): Promise<void> {
    return this.services.get(service)!.serving();
  }

  /** Stops every service, dependents first, each draining its in-flight calls. */
  async stop(): Promise<void> {
    // Retire all first: a terminal's Ctrl-C reaches the children too, and none may be restarted meanwhile.
    for (const service of this.services.values()) service.retire();
    for (const name of [...START_ORDER].reverse()) await this.services.get(name)?.stop();
  }
}

type HealthClient = Client & {
  Check(
    request: object,
    options: { deadline: number },
    callback: (error: ServiceError | null, response?: { status: string }) => void,
  ): void;
};

function healthClient(address: string): HealthClient {
  const loaded = loadPackageDefinition(loadProtos([]).definition) as unknown as {
    grpc: {
      health: {
        v1: { Health: new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => HealthClient };
      };
    };
  };
  return new loaded.grpc.health.v1.Health(address, credentials.createInsecure());
}

function isServing(client: HealthClient): Promise<boolean> {
  return new Promise((resolve) =>
    client.Check({ service: '' }, { deadline: Date.now() + 1_000 }, (error, response) =>
      resolve(!error && response?.status === 'SERVING'),
    ),
  );
}
