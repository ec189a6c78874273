import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { SupervisorEvent } from './supervisor';

/**
 * What a running `npm start` tells the tools beside it (the local Chaos Monkey): its own pid, its port
 * offset and, for each service that is up, the pid of its process and the entry point it runs. Written
 * whole (to a temporary file, then renamed) whenever a service comes up or goes down, and removed when
 * npm start ends. A reader checks a pid against it before signalling anything: the process must still be
 * a child of that npm start running that entry point, so a stale file or a reused pid is never signalled.
 */

export interface RunRecord {
  /** The supervising process (npm start): every service process is its child. */
  readonly supervisorPid: number;
  readonly portOffset: number;
  readonly startedAt: string;
  readonly services: Readonly<Record<string, RunningService>>;
}

export interface RunningService {
  readonly pid: number;
  readonly entry: string;
  /** Its last health answer: a service whose store is down answers NOT_SERVING and stays up. */
  readonly health: 'SERVING' | 'NOT_SERVING';
}

/** Where run files live: STREAMPLANE_RUN_DIR, else a directory of this user's under the system temp dir. */
export function runDirectory(env: NodeJS.ProcessEnv): string {
  return env.STREAMPLANE_RUN_DIR || join(tmpdir(), `streamplane-${userInfo().username}`);
}

/** The run file of the npm start with this port offset (one per offset: two cannot share ports). */
export function runFilePath(portOffset: number, env: NodeJS.ProcessEnv): string {
  return join(runDirectory(env), `run-${portOffset}.json`);
}

export class RunFile {
  private readonly services: Record<string, RunningService> = {};
  private readonly startedAt = new Date().toISOString();
  /** Nothing is written before the first service is up, and only what this instance wrote is removed. */
  private written = false;

  constructor(
    readonly path: string,
    private readonly owner: { supervisorPid: number; portOffset: number },
  ) {}

  up(service: string, running: RunningService): void {
    const listed = this.services[service];
    if (listed?.pid === running.pid && listed.health === running.health) return;
    this.services[service] = running;
    this.write();
  }

  down(service: string): void {
    if (!(service in this.services)) return;
    delete this.services[service];
    this.write();
  }

  remove(): void {
    if (this.written) rmSync(this.path, { force: true });
    this.written = false;
  }

  /**
   * The supervisor event handler that keeps the file current: a service is listed once it answers health,
   * with that answer (so the monkey never kills one that is still starting, and holds while one is
   * NOT_SERVING), and unlisted the moment its process ends.
   */
  tracker(
    processOf: (service: string) => { pid?: number; entry: string } | undefined,
  ): (event: SupervisorEvent) => void {
    return (event) => {
      if (event.kind === 'health') {
        const running = processOf(event.service);
        if (running?.pid !== undefined) {
          this.up(event.service, { pid: running.pid, entry: running.entry, health: event.health });
        }
      } else if (event.kind === 'crashed' || event.kind === 'stopped' || event.kind === 'failed') {
        this.down(event.service);
      }
    };
  }

  private write(): void {
    const record: RunRecord = { ...this.owner, startedAt: this.startedAt, services: this.services };
    mkdirSync(join(this.path, '..'), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.path);
    this.written = true;
  }
}

/** The run file at `path`, or undefined when there is none; a file that is not a run record is an error. */
export function readRunFile(path: string): RunRecord | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const record = JSON.parse(text) as Partial<RunRecord>;
  if (typeof record.supervisorPid !== 'number' || typeof record.services !== 'object' || record.services === null) {
    throw new Error(`${path} is not a run file of npm start`);
  }
  return record as RunRecord;
}
