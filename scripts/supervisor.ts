/**
 * The supervision logic behind `npm start` (and the end-to-end tests' platform), free of processes and
 * sockets so that it can be tested with fake ones and a manual clock: which service starts when, what a
 * death means, how long to wait before a restart, and what "up" is.
 *
 * - A service starts once every service it depends on answers its health check (SERVING or NOT_SERVING),
 *   so its first calls find their peers listening.
 * - "Up" is answering health at all: a service whose store is down answers NOT_SERVING, stays up and is
 *   shown as such; the platform goes on.
 * - A configuration error (exit 78, the platform's EX_CONFIG) is final: it is reported in one line and
 *   never retried, because the same configuration fails the same way.
 * - Any other death is restarted after a backoff that doubles while the service keeps dying (base → cap)
 *   and starts from the base again once it stayed up for `stableAfterMs`.
 * - `stop()` works at any moment, start-up included: nothing is (re)started after it.
 */

import { backgroundTimers, type Timers } from './timers';

/** Exit status of a process that cannot start with its configuration (sysexits EX_CONFIG). */
export const EXIT_BAD_CONFIG = 78;

export type Health = 'SERVING' | 'NOT_SERVING' | 'UNREACHABLE';

export interface SupervisedProcess {
  readonly pid?: number;
  kill(signal: NodeJS.Signals): void;
}

export interface ProcessCallbacks {
  onLine(line: string, stream: 'stdout' | 'stderr'): void;
  onExit(code: number | null, signal: string | null): void;
}

/** Starts one service process; the callbacks report its output and its end. */
export type Launcher = (service: string, callbacks: ProcessCallbacks) => SupervisedProcess;

/** Asks a service's health check; never rejects. */
export type Prober = (service: string) => Promise<Health>;

export interface SupervisorOptions {
  /** Each service and whom it calls (its declared dependencies). */
  services: ReadonlyArray<{ name: string; dependsOn: readonly string[] }>;
  launch: Launcher;
  probe: Prober;
  timers?: Timers;
  /** Backoff between restarts: doubles from baseMs up to capMs; reset after stableAfterMs up. */
  restart?: Partial<typeof DEFAULT_RESTART>;
  /** How often health is asked while a service is coming up, and once it is up. */
  probeEveryMs?: { starting: number; up: number };
  /** A start whose health never answers within this is killed and restarted like a crash. */
  startTimeoutMs?: number;
  /** How long `stop()` waits for a service to drain and exit after SIGTERM before it sends SIGKILL. */
  stopTimeoutMs?: number;
  onEvent?: (event: SupervisorEvent) => void;
}

export type ServiceState =
  | 'waiting' // for its dependencies
  | 'starting' // launched, health not answering yet
  | 'SERVING'
  | 'NOT_SERVING'
  | 'restarting' // dead, a restart is scheduled
  | 'failed' // a configuration error: not retried
  | 'stopped';

export type SupervisorEvent =
  | { kind: 'starting'; service: string; attempt: number }
  | { kind: 'health'; service: string; health: 'SERVING' | 'NOT_SERVING' }
  | { kind: 'line'; service: string; line: string; stream: 'stdout' | 'stderr' }
  | { kind: 'crashed'; service: string; code: number | null; signal: string | null; lastLines: string[] }
  | { kind: 'restarting'; service: string; inMs: number; attempt: number }
  | { kind: 'failed'; service: string; reason: string }
  | { kind: 'stopped'; service: string; code: number | null; signal: string | null };

export class FatalStartError extends Error {
  constructor(
    readonly service: string,
    readonly reason: string,
  ) {
    super(`${service}: ${reason}`);
    this.name = 'FatalStartError';
  }
}

export const DEFAULT_RESTART = { baseMs: 500, capMs: 30_000, stableAfterMs: 30_000 };
const DEFAULT_PROBE_EVERY = { starting: 100, up: 1_000 };
const DEFAULT_START_TIMEOUT_MS = 60_000;
/** The services' default drain (SHUTDOWN_DRAIN_MS, 10 s) and some. */
const DEFAULT_STOP_TIMEOUT_MS = 15_000;
/** Lines of a dead service's output kept for its report. */
const LAST_LINES = 20;

interface Entry {
  readonly name: string;
  readonly dependsOn: readonly string[];
  state: ServiceState;
  process?: SupervisedProcess;
  /** Starts so far, the first included. */
  attempt: number;
  /** Deaths in a row without staying up for stableAfterMs. */
  crashesInARow: number;
  upSince?: number;
  launchedAt?: number;
  timer?: unknown;
  /** Bumped on every launch, so that an answer about an earlier process is ignored. */
  generation: number;
  recent: string[];
  exited?: Promise<void>;
  resolveExited?: () => void;
  /** Held by `pause`: not restarted until `resume`. */
  paused: boolean;
}

export class Supervisor {
  private readonly entries = new Map<string, Entry>();
  private readonly timers: Timers;
  private readonly restart: { baseMs: number; capMs: number; stableAfterMs: number };
  private readonly probeEvery: { starting: number; up: number };
  private readonly startTimeoutMs: number;
  private stopping = false;
  private readonly upWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private fatal?: FatalStartError;

  constructor(private readonly options: SupervisorOptions) {
    this.timers = options.timers ?? backgroundTimers;
    this.restart = { ...DEFAULT_RESTART, ...options.restart };
    this.probeEvery = options.probeEveryMs ?? DEFAULT_PROBE_EVERY;
    this.startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    for (const { name, dependsOn } of options.services) {
      this.entries.set(name, {
        name,
        dependsOn,
        state: 'waiting',
        attempt: 0,
        crashesInARow: 0,
        generation: 0,
        recent: [],
        paused: false,
      });
    }
    for (const entry of this.entries.values()) {
      for (const dependency of entry.dependsOn) {
        if (!this.entries.has(dependency))
          throw new Error(`${entry.name} depends on ${dependency}, which is not supervised`);
      }
    }
  }

  /** Launches every service whose dependencies are up (at first: those with none). */
  start(): void {
    this.launchReady();
  }

  /** Resolves once every service is up (SERVING or NOT_SERVING); rejects on a fatal start error or stop. */
  allUp(): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.everyServiceUp()) return Promise.resolve();
    return new Promise((resolve, reject) => this.upWaiters.push({ resolve, reject }));
  }

  state(service: string): ServiceState {
    return this.entry(service).state;
  }

  /** The running process's id, for measuring it (undefined while none runs). */
  pid(service: string): number | undefined {
    return this.entry(service).process?.pid;
  }

  states(): Record<string, ServiceState> {
    return Object.fromEntries([...this.entries.values()].map((entry) => [entry.name, entry.state]));
  }

  /**
   * Stops one service without restarting it until `resume`: with SIGTERM, draining its calls, or, `kill`,
   * with SIGKILL, as a crash would.
   */
  async pause(service: string, how: 'drain' | 'kill' = 'drain'): Promise<void> {
    const entry = this.entry(service);
    entry.paused = true;
    this.timers.clearTimeout(entry.timer);
    if (how === 'kill') {
      entry.process?.kill('SIGKILL');
      await entry.exited;
    } else {
      await this.terminate(entry);
    }
    entry.state = 'stopped';
  }

  resume(service: string): void {
    const entry = this.entry(service);
    entry.paused = false;
    entry.crashesInARow = 0;
    if (!entry.process) this.launch(entry);
  }

  /** Kills a service as a crash would; it is restarted like any crash. */
  crash(service: string): void {
    this.entry(service).process?.kill('SIGKILL');
  }

  /** Stops everything, dependents first, each with SIGTERM (it drains); nothing starts afterwards. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const entry of this.entries.values()) this.timers.clearTimeout(entry.timer);
    this.rejectWaiters(new Error('stopped before every service was up'));
    for (const entry of this.stopOrder()) {
      if (entry.process) await this.terminate(entry);
      else if (entry.state !== 'failed') entry.state = 'stopped';
    }
  }

  /** SIGTERM (the service drains), then SIGKILL if it has not exited within stopTimeoutMs. */
  private async terminate(entry: Entry): Promise<void> {
    const process = entry.process;
    if (!process) return;
    process.kill('SIGTERM');
    const deadline = this.timers.setTimeout(
      () => process.kill('SIGKILL'),
      this.options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS,
    );
    await entry.exited;
    this.timers.clearTimeout(deadline);
  }

  private launchReady(): void {
    if (this.stopping || this.fatal) return;
    for (const entry of this.entries.values()) {
      if (entry.state !== 'waiting' || entry.paused) continue;
      if (entry.dependsOn.every((dependency) => this.isUp(this.entry(dependency)))) this.launch(entry);
    }
  }

  private launch(entry: Entry): void {
    entry.attempt += 1;
    entry.generation += 1;
    entry.state = 'starting';
    entry.launchedAt = this.timers.nowMs();
    entry.upSince = undefined;
    entry.exited = new Promise((resolve) => (entry.resolveExited = resolve));
    const generation = entry.generation;
    this.emit({ kind: 'starting', service: entry.name, attempt: entry.attempt });
    entry.process = this.options.launch(entry.name, {
      onLine: (line, stream) => {
        entry.recent.push(line);
        if (entry.recent.length > LAST_LINES) entry.recent.shift();
        this.emit({ kind: 'line', service: entry.name, line, stream });
      },
      onExit: (code, signal) => {
        if (generation === entry.generation) this.exited(entry, code, signal);
      },
    });
    this.scheduleProbe(entry, generation, this.probeEvery.starting);
  }

  private scheduleProbe(entry: Entry, generation: number, inMs: number): void {
    entry.timer = this.timers.setTimeout(() => void this.probe(entry, generation), inMs);
  }

  private async probe(entry: Entry, generation: number): Promise<void> {
    if (this.stopping || generation !== entry.generation || !entry.process) return;
    const health = await this.options.probe(entry.name);
    if (this.stopping || generation !== entry.generation || !entry.process) return;
    if (health === 'UNREACHABLE') {
      if (entry.state === 'starting' && this.timers.nowMs() - (entry.launchedAt ?? 0) > this.startTimeoutMs) {
        // Started but never answering: treat it as a crash (the kill's exit triggers the restart).
        entry.recent.push(`no health answer within ${this.startTimeoutMs} ms`);
        entry.process.kill('SIGKILL');
        return;
      }
      this.scheduleProbe(entry, generation, entry.state === 'starting' ? this.probeEvery.starting : this.probeEvery.up);
      return;
    }
    if (entry.state !== health) {
      entry.upSince ??= this.timers.nowMs();
      entry.state = health;
      this.emit({ kind: 'health', service: entry.name, health });
      this.launchReady();
      this.resolveWaitersIfUp();
    }
    if (entry.crashesInARow > 0 && this.timers.nowMs() - (entry.upSince ?? Infinity) >= this.restart.stableAfterMs) {
      entry.crashesInARow = 0;
    }
    this.scheduleProbe(entry, generation, this.probeEvery.up);
  }

  private exited(entry: Entry, code: number | null, signal: string | null): void {
    this.timers.clearTimeout(entry.timer);
    entry.process = undefined;
    const wasUpFor = entry.upSince === undefined ? 0 : this.timers.nowMs() - entry.upSince;
    entry.upSince = undefined;
    entry.resolveExited?.();
    if (this.stopping || entry.paused) {
      entry.state = 'stopped';
      this.emit({ kind: 'stopped', service: entry.name, code, signal });
      return;
    }
    if (code === EXIT_BAD_CONFIG) {
      entry.state = 'failed';
      const said = entry.recent.map((line) => line.trim()).filter((line) => line !== '');
      // The service names itself at the start of its message; the error names it once already.
      const reason = said.join(' ').replace(new RegExp(`^${entry.name}: `), '') || 'invalid configuration';
      this.fail(new FatalStartError(entry.name, reason));
      return;
    }
    this.emit({ kind: 'crashed', service: entry.name, code, signal, lastLines: [...entry.recent] });
    entry.crashesInARow = wasUpFor >= this.restart.stableAfterMs ? 1 : entry.crashesInARow + 1;
    const inMs = Math.min(this.restart.capMs, this.restart.baseMs * 2 ** (entry.crashesInARow - 1));
    entry.state = 'restarting';
    this.emit({ kind: 'restarting', service: entry.name, inMs, attempt: entry.attempt + 1 });
    entry.timer = this.timers.setTimeout(() => {
      if (!this.stopping && !entry.paused) this.launch(entry);
    }, inMs);
  }

  private fail(error: FatalStartError): void {
    this.fatal ??= error;
    this.emit({ kind: 'failed', service: error.service, reason: error.reason });
    this.rejectWaiters(error);
  }

  private isUp(entry: Entry): boolean {
    return entry.state === 'SERVING' || entry.state === 'NOT_SERVING';
  }

  private everyServiceUp(): boolean {
    return [...this.entries.values()].every((entry) => this.isUp(entry));
  }

  private resolveWaitersIfUp(): void {
    if (!this.everyServiceUp()) return;
    for (const waiter of this.upWaiters.splice(0)) waiter.resolve();
  }

  private rejectWaiters(error: Error): void {
    for (const waiter of this.upWaiters.splice(0)) waiter.reject(error);
  }

  /** Dependents before their dependencies, so nobody calls a peer that has already gone. */
  private stopOrder(): Entry[] {
    const ordered: Entry[] = [];
    const visit = (entry: Entry) => {
      if (ordered.includes(entry)) return;
      for (const other of this.entries.values()) if (other.dependsOn.includes(entry.name)) visit(other);
      ordered.push(entry);
    };
    for (const entry of this.entries.values()) visit(entry);
    return ordered;
  }

  private entry(service: string): Entry {
    const entry = this.entries.get(service);
    if (!entry) throw new Error(`${service} is not supervised`);
    return entry;
  }

  private emit(event: SupervisorEvent): void {
    this.options.onEvent?.(event);
  }
}
