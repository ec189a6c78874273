import type { Timers } from '../../timers';
import type { Decision, DecisionSink, PodRef, TerminationMode } from './decisions';
import type { KillSchedule } from './kill-schedule';
import type { WorkCalendar } from './work-calendar';

/**
 * The Chaos Monkey's run loop over ports (a cluster, outage checks, a decision sink), with the clock and
 * randomness passed in: each work day at the start of the work hours it draws the day's kills (see
 * kill-schedule.ts); at each kill's time it checks everything again, as kube-monkey does, because an hour
 * later the world has changed:
 *
 * 1. the group still opts in (the Deployments are listed again, which also reads their last kills);
 * 2. the minimum gap since the group's last kill;
 * 3. the group has a pod that still carries the opt-in label, is Running and is not already terminating;
 *    one of those is chosen at random (one pod of the Deployment, never more);
 * 4. no outage: every opted-in Deployment has its desired replicas ready, and no outage check (the
 *    platform's own health) reports a problem — otherwise the kill is held (Netflix's outage checker);
 * 5. leashed (the default) → the kill is only reported; else the pod is evicted (a PodDisruptionBudget
 *    may refuse: held) or deleted.
 *
 * A held or skipped kill is not retried that day: the next chance is the next draw, as with Netflix.
 *
 * The kill history lives on the Deployments, as Netflix keeps it in a database for the same rule: after
 * each real kill the monkey writes its instant to the Deployment (`LAST_KILL_ANNOTATION`), and every
 * listing of the Deployments (each draw, each kill) hands the schedule what they say. A restarted monkey,
 * or a second one, therefore honours the minimum gap of kills it did not make. A leashed "would kill" is
 * kept in memory only (the dry run keeps the schedule it would keep unleashed) and never written: like
 * Netflix's leashed mode it records nothing, so unleashing it does not start from kills that never
 * happened. A failed write is a `failed` decision; the kill stands and the schedule keeps it in memory.
 */

/** A group the monkey may kill in: one Deployment whose pod template opts in. */
export interface MonkeyGroup {
  readonly name: string;
  readonly desiredReplicas: number;
  readonly readyReplicas: number;
  /** When it was last killed, as the Deployment records it (`LAST_KILL_ANNOTATION`), if it does. */
  readonly lastKillMs?: number;
}

export interface MonkeyPod extends PodRef {
  readonly labels: Readonly<Record<string, string>>;
  readonly phase: string;
  readonly terminating: boolean;
}

export type TerminationResult =
  | { outcome: 'terminated' }
  /** Declined for now, e.g. by a PodDisruptionBudget. */
  | { outcome: 'refused'; reason: string }
  /** The pod went away between the choice and the kill. */
  | { outcome: 'gone'; reason: string };

export interface MonkeyCluster {
  /** The Deployments whose pods opt in (their template carries the opt-in label). */
  optedInGroups(): Promise<MonkeyGroup[]>;
  /** The group's pods that carry the opt-in label. */
  pods(group: string): Promise<MonkeyPod[]>;
  /** Evicts or deletes the pod. */
  terminate(pod: MonkeyPod, mode: TerminationMode): Promise<TerminationResult>;
  /** Writes the group's last kill on it, for `optedInGroups` to return to this monkey or any later one. */
  recordLastKill(group: string, atMs: number): Promise<void>;
}

/** Something that can tell of an outage: a reason while there is one, else undefined. */
export interface OutageCheck {
  outage(): Promise<string | undefined>;
}

export const OPT_IN_LABEL = 'streamplane.io/chaos-monkey';
export const OPT_IN_VALUE = 'enabled';
/** The Deployment annotation holding its last kill, an RFC 3339 instant (e.g. 2026-03-10T17:30:00.000Z). */
export const LAST_KILL_ANNOTATION = 'streamplane.io/chaos-monkey-last-kill';

export interface ChaosMonkeyOptions {
  cluster: MonkeyCluster;
  schedule: KillSchedule;
  calendar: WorkCalendar;
  sink: DecisionSink;
  outageChecks?: readonly OutageCheck[];
  timers: Timers;
  random: () => number;
  leashed: boolean;
  mode: TerminationMode;
}

/** After a failed draw (the API unreachable), the next try; the draw is given up once the hours are over. */
const DRAW_RETRY_MS = 5 * 60_000;

export class ChaosMonkey {
  private readonly timers = new Set<unknown>();
  private stopped = false;

  constructor(private readonly options: ChaosMonkeyOptions) {}

  /** Draws today's kills (if the work hours are not over) and keeps drawing each work day until `stop`. */
  start(): void {
    this.stopped = false;
    void this.draw();
  }

  stop(): void {
    this.stopped = true;
    for (const handle of this.timers) this.options.timers.clearTimeout(handle);
    this.timers.clear();
  }

  private async draw(): Promise<void> {
    if (this.stopped) return;
    const { calendar, schedule, timers } = this.options;
    const nowMs = timers.nowMs();
    // The calendar first: on a weekend or after the hours there is no draw, so nothing to list (or fail) for.
    if (schedule.drawsAt(nowMs)) {
      try {
        const groups = await this.listGroups();
        for (const draw of schedule.drawDay(
          groups.map((group) => group.name),
          nowMs,
        )) {
          if (draw.outcome === 'skipped') {
            await this.decide({ decision: 'skipped', service: draw.group, reason: draw.reason });
          } else {
            await this.decide({ decision: 'scheduled', service: draw.group, dueMs: draw.atMs });
            this.after(draw.atMs - timers.nowMs(), () => this.kill(draw.group));
          }
        }
      } catch (error) {
        await this.decide({ decision: 'failed', service: '*', reason: `drawing the day's kills: ${messageOf(error)}` });
        const { endMs } = calendar.windowOf(calendar.dayOf(nowMs));
        if (timers.nowMs() + DRAW_RETRY_MS < endMs) {
          this.after(DRAW_RETRY_MS, () => this.draw());
          return;
        }
      }
    }
    const next = calendar.windowOf(calendar.nextWorkDay(timers.nowMs()));
    this.after(next.startMs - timers.nowMs(), () => this.draw());
  }

  private async kill(service: string): Promise<void> {
    if (this.stopped) return;
    const { cluster, schedule, timers, leashed, mode } = this.options;
    try {
      const groups = await this.listGroups();
      if (!groups.some((group) => group.name === service)) {
        return await this.decide({ decision: 'skipped', service, reason: 'the Deployment no longer opts in' });
      }
      const tooSoon = schedule.mayNotKill(service, timers.nowMs());
      if (tooSoon) return await this.decide({ decision: 'skipped', service, reason: tooSoon });
      const eligible = (await cluster.pods(service)).filter(isEligible);
      if (eligible.length === 0) {
        return await this.decide({
          decision: 'skipped',
          service,
          reason: 'no pod is opted in, Running and not terminating',
        });
      }
      const victim = eligible[Math.floor(this.options.random() * eligible.length)]!;
      const pod = { name: victim.name, uid: victim.uid };
      const outage = await this.outage(groups);
      if (outage) return await this.decide({ decision: 'held', service, pod, reason: outage });
      if (leashed) {
        // The dry run keeps the schedule it would keep unleashed, gaps included, in memory only: nothing
        // was killed, so nothing is written on the Deployment.
        schedule.recordKill(service, timers.nowMs());
        return await this.decide({ decision: 'leashed', service, pod, mode, reason: 'leashed: nothing was killed' });
      }
      const result = await cluster.terminate(victim, mode);
      if (result.outcome !== 'terminated') {
        const decision = result.outcome === 'refused' ? 'held' : 'skipped';
        return await this.decide({ decision, service, pod, mode, reason: result.reason });
      }
      const killedMs = timers.nowMs();
      schedule.recordKill(service, killedMs);
      let unrecorded: string | undefined;
      try {
        await cluster.recordLastKill(service, killedMs);
      } catch (error) {
        unrecorded = messageOf(error);
      }
      await this.decide({ decision: 'killed', service, pod, mode });
      if (unrecorded !== undefined) {
        // The kill stands and the schedule keeps it; only a restarted monkey would not know of it.
        await this.decide({
          decision: 'failed',
          service,
          pod,
          mode,
          reason: `recording the kill on the Deployment (${LAST_KILL_ANNOTATION}): ${unrecorded}`,
        });
      }
    } catch (error) {
      await this.decide({ decision: 'failed', service, mode, reason: messageOf(error) });
    }
  }

  /** The opted-in Deployments; the last kill each records is handed to the schedule (the later one counts). */
  private async listGroups(): Promise<MonkeyGroup[]> {
    const groups = await this.options.cluster.optedInGroups();
    for (const group of groups) {
      if (group.lastKillMs !== undefined) this.options.schedule.recordKill(group.name, group.lastKillMs);
    }
    return groups;
  }

  /** Why kills are held now, or undefined: an opted-in Deployment short of ready replicas, or a check's outage. */
  private async outage(groups: readonly MonkeyGroup[]): Promise<string | undefined> {
    const short = groups.filter((group) => group.readyReplicas < group.desiredReplicas);
    if (short.length > 0) {
      return `outage: ${short.map((group) => `${group.name} has ${group.readyReplicas}/${group.desiredReplicas} ready`).join(', ')}`;
    }
    for (const check of this.options.outageChecks ?? []) {
      const reason = await check.outage();
      if (reason) return `outage: ${reason}`;
    }
    return undefined;
  }

  private decide(decision: Omit<Decision, 'atMs'>): Promise<void> {
    return this.options.sink.record({ ...decision, atMs: this.options.timers.nowMs() });
  }

  private after(ms: number, work: () => Promise<void>): void {
    if (this.stopped) return;
    const handle = this.options.timers.setTimeout(
      () => {
        this.timers.delete(handle);
        void work();
      },
      Math.max(0, ms),
    );
    this.timers.add(handle);
  }
}

function isEligible(pod: MonkeyPod): boolean {
  return pod.labels[OPT_IN_LABEL] === OPT_IN_VALUE && pod.phase === 'Running' && !pod.terminating;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
