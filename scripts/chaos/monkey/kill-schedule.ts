import type { LocalDay, WorkCalendar } from './work-calendar';

/**
 * When the monkey kills, following Netflix Chaos Monkey's termination behaviour as its documentation
 * describes it (https://netflix.github.io/chaosmonkey/Termination-behavior/):
 *
 * - Every work day (weekdays; Netflix also skips holidays, which this does not know), each opted-in group
 *   (here: a Deployment) is chosen with probability p = 1 / meanTimeBetweenKillsInWorkDays, so the work
 *   days between kills follow a geometric distribution with mean μ = 1/p.
 * - A chosen group is killed at a uniformly random instant inside that day's work hours
 *   [startHour, endHour) in the configured time zone (Netflix: 9 AM to 3 PM, America/Los_Angeles).
 * - Never twice within minTimeBetweenKillsInWorkDays (ɛ) work days: a day closer than ɛ to the group's
 *   last kill is skipped. As Netflix notes, with ɛ > 1 the mean grows to about ɛ − 1 + μ, uncorrected.
 *
 * A monkey that starts during the work hours draws that day too, inside the hours that are left; one that
 * starts after them waits for the next work day. Plain logic over instants: the caller owns the clock.
 *
 * The last kills are known from this process (`recordKill` after each kill) and from the cluster (the
 * caller hands over what each Deployment records, through the same `recordKill`): the later one counts, so
 * a restarted monkey keeps the minimum gap of the kills made before it.
 */

export interface ScheduleSettings {
  meanTimeBetweenKillsInWorkDays: number;
  minTimeBetweenKillsInWorkDays: number;
}

export type Draw =
  | { readonly group: string; readonly outcome: 'scheduled'; readonly atMs: number }
  | { readonly group: string; readonly outcome: 'skipped'; readonly reason: string };

export class KillSchedule {
  /** Work-day number of each group's last kill. */
  private readonly lastKill = new Map<string, number>();

  constructor(
    private readonly settings: ScheduleSettings,
    private readonly calendar: WorkCalendar,
    private readonly random: () => number,
  ) {
    if (!(settings.meanTimeBetweenKillsInWorkDays >= 1)) {
      throw new RangeError('meanTimeBetweenKillsInWorkDays must be at least 1 (one kill a day at most)');
    }
  }

  /**
   * The draw of the local day of `nowMs` for each group: a kill time for the chosen ones, a skip for those
   * still inside their minimum gap; nothing for the others, nor on a weekend, nor once the hours are over.
   */
  drawDay(groups: readonly string[], nowMs: number): Draw[] {
    if (!this.drawsAt(nowMs)) return [];
    const day = this.calendar.dayOf(nowMs);
    const window = this.calendar.windowOf(day);
    const fromMs = Math.max(nowMs, window.startMs);
    const draws: Draw[] = [];
    for (const group of groups) {
      const chosen = this.random() < 1 / this.settings.meanTimeBetweenKillsInWorkDays;
      if (!chosen) continue;
      const tooSoon = this.tooSoonReason(group, day);
      if (tooSoon) {
        draws.push({ group, outcome: 'skipped', reason: tooSoon });
        continue;
      }
      draws.push({ group, outcome: 'scheduled', atMs: fromMs + Math.floor(this.random() * (window.endMs - fromMs)) });
    }
    return draws;
  }

  /** Whether a draw at `nowMs` can schedule anything: a work day whose work hours are not over. */
  drawsAt(nowMs: number): boolean {
    const day = this.calendar.dayOf(nowMs);
    return day.isWorkDay && nowMs < this.calendar.windowOf(day).endMs;
  }

  /** Why `group` may not be killed at `atMs` (the minimum gap), or undefined when it may. */
  mayNotKill(group: string, atMs: number): string | undefined {
    return this.tooSoonReason(group, this.calendar.dayOf(atMs));
  }

  /**
   * A kill that happened, here or as the cluster records it: the minimum gap runs from its work day, or
   * from the one of a later kill already known.
   */
  recordKill(group: string, atMs: number): void {
    const day = this.calendar.dayOf(atMs).workDayNumber;
    this.lastKill.set(group, Math.max(day, this.lastKill.get(group) ?? day));
  }

  private tooSoonReason(group: string, day: LocalDay): string | undefined {
    const last = this.lastKill.get(group);
    if (last === undefined) return undefined;
    const gap = day.workDayNumber - last;
    const minimum = this.settings.minTimeBetweenKillsInWorkDays;
    return gap < minimum ? `last kill ${gap} work day(s) ago, the minimum is ${minimum}` : undefined;
  }
}
