import type { RunRecord } from '../../run-file';
import type { Timers } from '../../timers';

/**
 * The Chaos Monkey for a local `npm start`, on a compressed schedule: time is cut into slots of `every`, each
 * slot a work day in miniature whose "work hours" are its middle half, and in each slot one opted-in service
 * is killed (SIGKILL) at a random moment of those hours; so kills come about `every` apart, never closer
 * than every/2. Before each kill, as on Kubernetes, it checks again: the run's supervisor is alive, every
 * opted-in service is up (a service still restarting from the last kill is an outage: the kill is held), and
 * the chosen pid is still that service's process, a child of that npm start running its entry point; a
 * process that is not is never signalled. After a kill it watches for the supervisor's restart until the
 * next kill (after the last one, for one more slot at most).
 */

/** The services killed when --services is not given: those whose state locally is only their seed. */
export const LOCAL_MONKEY_DEFAULT_SERVICES = ['catalog', 'recommendations', 'subtitles', 'steering'] as const;

export interface LocalProcesses {
  /** The npm start's run record, or undefined when there is none. */
  read(): RunRecord | undefined;
  isAlive(pid: number): boolean;
  /** Whether `pid` is, right now, a child of `parentPid` whose command line runs `entry`. */
  isChildRunning(pid: number, parentPid: number, entry: string): Promise<boolean>;
  kill(pid: number): void;
}

export type LocalMonkeyEvent =
  | { kind: 'killed'; atMs: number; service: string; pid: number }
  | { kind: 'back'; atMs: number; service: string; pid: number; afterMs: number }
  | { kind: 'held'; atMs: number; reason: string }
  | { kind: 'skipped'; atMs: number; reason: string }
  /** npm start has ended (or never ran): the monkey stops. */
  | { kind: 'gone'; atMs: number; reason: string };

/** An event as the monkey reports it, before its time is added. */
type Unstamped<E> = E extends unknown ? Omit<E, 'atMs'> : never;

export interface LocalMonkeyOptions {
  services: readonly string[];
  everyMs: number;
  durationMs: number;
  processes: LocalProcesses;
  timers: Timers;
  random: () => number;
  onEvent(event: LocalMonkeyEvent): void;
  /** How often the run file is read while a killed service comes back. */
  pollMs?: number;
}

/** The kill instants of a run starting at `startMs`: one in the middle half of each slot that ends in time. */
export function compressedKillTimes(
  startMs: number,
  everyMs: number,
  durationMs: number,
  random: () => number,
): number[] {
  const times: number[] = [];
  for (let slot = 0; (slot + 1) * everyMs <= durationMs; slot++) {
    times.push(startMs + slot * everyMs + Math.floor(everyMs * (0.25 + 0.5 * random())));
  }
  return times;
}

export interface LocalMonkeySummary {
  kills: Record<string, number>;
  held: number;
  skipped: number;
  /** Services killed whose restart was not seen before the run ended. */
  notBack: string[];
  /** npm start went away during the run (or was not running). */
  gone: boolean;
}

export class LocalMonkey {
  private readonly summary: LocalMonkeySummary = { kills: {}, held: 0, skipped: 0, notBack: [], gone: false };
  private stopped = false;
  private wake?: () => void;
  private timer?: unknown;

  constructor(private readonly options: LocalMonkeyOptions) {}

  /** Runs the whole schedule (or until `stop`); resolves with what happened. */
  async run(): Promise<LocalMonkeySummary> {
    const { timers, everyMs, durationMs, random } = this.options;
    const times = compressedKillTimes(timers.nowMs(), everyMs, durationMs, random);
    for (const [slot, atMs] of times.entries()) {
      await this.sleepUntil(atMs);
      if (this.stopped) break;
      const killed = await this.attempt();
      if (this.summary.gone) break;
      // Until the next kill; after the last one, for one more slot at most.
      if (killed) await this.watchRestart(killed, times[slot + 1] ?? atMs + everyMs);
    }
    return this.summary;
  }

  /** Ends the run at once (Ctrl-C): no further kill. */
  stop(): void {
    this.stopped = true;
    this.options.timers.clearTimeout(this.timer);
    this.wake?.();
  }

  private async attempt(): Promise<{ service: string; pid: number } | undefined> {
    const { processes, services, random } = this.options;
    const record = processes.read();
    if (!record) return this.gone('npm start is not running (no run file)');
    if (!processes.isAlive(record.supervisorPid)) {
      return this.gone(`npm start (pid ${record.supervisorPid}) is no longer running`);
    }
    // The outage check: a kill while another opted-in service is down or NOT_SERVING would stack outages.
    const notServing = services.filter((service) => record.services[service]?.health !== 'SERVING');
    if (notServing.length > 0) {
      this.summary.held++;
      this.emit({ kind: 'held', reason: `${notServing.join(', ')} not serving` });
      return undefined;
    }
    const service = services[Math.floor(random() * services.length)]!;
    const { pid, entry } = record.services[service]!;
    let reason: string | undefined;
    try {
      if (!(await processes.isChildRunning(pid, record.supervisorPid, entry))) {
        reason = `pid ${pid} is no longer ${service}'s process`;
      }
    } catch (error) {
      reason = `${service}'s process could not be checked: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (reason) {
      this.summary.skipped++;
      this.emit({ kind: 'skipped', reason: `${reason}; nothing was signalled` });
      return undefined;
    }
    try {
      processes.kill(pid);
    } catch (error) {
      // It died between the check and the signal (ESRCH): nothing was killed by this monkey.
      this.summary.skipped++;
      this.emit({
        kind: 'skipped',
        reason: `${service} (pid ${pid}) could not be signalled: ${(error as Error).message}`,
      });
      return undefined;
    }
    this.summary.kills[service] = (this.summary.kills[service] ?? 0) + 1;
    this.emit({ kind: 'killed', service, pid });
    return { service, pid };
  }

  /** Polls the run file until the service is up under a new pid, or `untilMs`. */
  private async watchRestart(killed: { service: string; pid: number }, untilMs: number): Promise<void> {
    const { timers, processes } = this.options;
    const killedAt = timers.nowMs();
    while (!this.stopped && timers.nowMs() < untilMs) {
      await this.sleepUntil(Math.min(untilMs, timers.nowMs() + (this.options.pollMs ?? 100)));
      const now = processes.read()?.services[killed.service];
      if (now && now.pid !== killed.pid) {
        this.emit({ kind: 'back', service: killed.service, pid: now.pid, afterMs: timers.nowMs() - killedAt });
        return;
      }
    }
    this.summary.notBack.push(killed.service);
  }

  private gone(reason: string): undefined {
    this.summary.gone = true;
    this.emit({ kind: 'gone', reason });
    return undefined;
  }

  private emit(event: Unstamped<LocalMonkeyEvent>): void {
    this.options.onEvent({ ...event, atMs: this.options.timers.nowMs() });
  }

  private sleepUntil(atMs: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = this.options.timers.setTimeout(resolve, Math.max(0, atMs - this.options.timers.nowMs()));
    });
  }
}
