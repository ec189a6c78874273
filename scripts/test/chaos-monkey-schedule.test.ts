import { mulberry32 } from '@streamplane/streaming';
import { ManualClock, SteppedTimers } from '@streamplane/testkit';
import {
  ChaosMonkey,
  OPT_IN_LABEL,
  type MonkeyCluster,
  type MonkeyGroup,
  type MonkeyPod,
  type OutageCheck,
  type TerminationResult,
} from '../chaos/monkey/chaos-monkey';
import { chaosMonkeyConfigSchema } from '../chaos/monkey/config';
import { DecisionCounter } from '../chaos/monkey/decision-metrics';
import { allOf, type Decision, type TerminationMode } from '../chaos/monkey/decisions';
import { KillSchedule, type ScheduleSettings } from '../chaos/monkey/kill-schedule';
import { WorkCalendar } from '../chaos/monkey/work-calendar';

/**
 * The Kubernetes Chaos Monkey's schedule and choices over simulated years, with a manual clock, seeded
 * randomness and a fake cluster: Netflix's semantics (p = 1/mean per work day, within work hours in the
 * time zone, weekdays only, never within the minimum gap), leashed by default, held during outages, one
 * opted-in, Running pod per kill.
 */

const LOS_ANGELES = 'America/Los_Angeles';
const YEAR_MS = 365.25 * 86_400_000;

/** A cluster of Deployments, each with its pods; a terminated pod is replaced at once by a new one. */
class FakeCluster implements MonkeyCluster {
  readonly terminated: Array<{ pod: string; group: string; mode: TerminationMode; atMs: number }> = [];
  readonly groups = new Map<
    string,
    { name: string; desiredReplicas: number; readyReplicas: number; optedIn: boolean }
  >();
  readonly podsOf = new Map<string, MonkeyPod[]>();
  refuse?: string;
  failWith?: string;
  private serial = 0;

  constructor(private readonly clock: ManualClock) {}

  addGroup(name: string, pods: number, optedIn = true, extraPods: MonkeyPod[] = []): void {
    this.groups.set(name, { name, desiredReplicas: pods, readyReplicas: pods, optedIn });
    this.podsOf.set(name, [...Array.from({ length: pods }, () => this.newPod(name)), ...extraPods]);
  }

  async optedInGroups(): Promise<MonkeyGroup[]> {
    if (this.failWith) throw new Error(this.failWith);
    return [...this.groups.values()]
      .filter((group) => group.optedIn)
      .map(({ name, desiredReplicas, readyReplicas }) => ({ name, desiredReplicas, readyReplicas }));
  }

  async pods(group: string): Promise<MonkeyPod[]> {
    return this.podsOf.get(group) ?? [];
  }

  async terminate(pod: MonkeyPod, mode: TerminationMode): Promise<TerminationResult> {
    if (this.refuse) return { outcome: 'refused', reason: this.refuse };
    const group = pod.labels['app.kubernetes.io/name']!;
    this.terminated.push({ pod: pod.name, group, mode, atMs: this.clock.nowMs() });
    this.podsOf.set(group, [...this.podsOf.get(group)!.filter((other) => other.name !== pod.name), this.newPod(group)]);
    return { outcome: 'terminated' };
  }

  private newPod(group: string, overrides: Partial<MonkeyPod> = {}): MonkeyPod {
    return {
      name: `${group}-${++this.serial}`,
      labels: { 'app.kubernetes.io/name': group, [OPT_IN_LABEL]: 'enabled' },
      phase: 'Running',
      terminating: false,
      ...overrides,
    };
  }
}

interface Simulation {
  cluster: FakeCluster;
  decisions: Decision[];
  counter: DecisionCounter;
  calendar: WorkCalendar;
  run(years: number): Promise<void>;
}

function simulate(
  options: {
    settings?: Partial<ScheduleSettings>;
    leashed?: boolean;
    mode?: TerminationMode;
    seed?: number;
    outageChecks?: OutageCheck[];
    timeZone?: string;
    start?: string;
    groups?: (cluster: FakeCluster) => void;
  } = {},
): Simulation {
  const clock = new ManualClock(options.start ?? '2026-01-05T00:00:00Z');
  const timers = new SteppedTimers(clock);
  const random = mulberry32(options.seed ?? 7);
  const calendar = new WorkCalendar(options.timeZone ?? LOS_ANGELES, 9, 15);
  const settings = { meanTimeBetweenKillsInWorkDays: 2, minTimeBetweenKillsInWorkDays: 1, ...options.settings };
  const cluster = new FakeCluster(clock);
  if (options.groups) options.groups(cluster);
  else cluster.addGroup('catalog', 2);
  const decisions: Decision[] = [];
  const counter = new DecisionCounter();
  const monkey = new ChaosMonkey({
    cluster,
    calendar,
    schedule: new KillSchedule(settings, calendar, random),
    sink: allOf({ record: async (decision) => void decisions.push(decision) }, counter),
    outageChecks: options.outageChecks,
    timers,
    random,
    leashed: options.leashed ?? false,
    mode: options.mode ?? 'evict',
  });
  return {
    cluster,
    decisions,
    counter,
    calendar,
    async run(years) {
      monkey.start();
      await timers.runUntil(clock.nowMs() + years * YEAR_MS);
      monkey.stop();
    },
  };
}

const decided = (simulation: Simulation, kind: Decision['decision']) =>
  simulation.decisions.filter((decision) => decision.decision === kind);

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** Work days between consecutive kills. */
function gapsInWorkDays(calendar: WorkCalendar, instants: number[]): number[] {
  const numbers = instants.map((instant) => calendar.dayOf(instant).workDayNumber);
  return numbers.slice(1).map((number, index) => number - numbers[index]!);
}

describe('the Chaos Monkey schedule over simulated years', () => {
  test('kills on work days only, inside the work hours in the time zone, about every mean work days', async () => {
    const simulation = simulate();
    await simulation.run(20);
    const kills = simulation.cluster.terminated.map((kill) => kill.atMs);
    const workDays = 20 * 261;
    // p = 1/2 per work day: about 2,600 kills; the count's standard deviation is about 36.
    expect(kills.length).toBeGreaterThan(workDays / 2 - 200);
    expect(kills.length).toBeLessThan(workDays / 2 + 200);
    for (const at of kills) {
      const day = simulation.calendar.dayOf(at);
      const hour = simulation.calendar.hourOf(at);
      expect({ at: new Date(at).toISOString(), weekday: day.isWorkDay, hour: hour >= 9 && hour < 15 }).toEqual({
        at: new Date(at).toISOString(),
        weekday: true,
        hour: true,
      });
    }
    // Geometric with mean μ = 2 and variance (1-p)/p² = 2: the mean of ~2,600 gaps is 2 ± 0.03 (1 sd).
    const gaps = gapsInWorkDays(simulation.calendar, kills);
    expect(Math.abs(mean(gaps) - 2)).toBeLessThan(0.15);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1);
    // Every kill was announced first, and each decision is counted.
    expect(simulation.counter.count('catalog', 'killed')).toBe(kills.length);
    expect(simulation.counter.count('catalog', 'scheduled')).toBe(kills.length);
  });

  test('never kills a group within the minimum gap; the mean grows to about ɛ − 1 + μ, as Netflix documents', async () => {
    const simulation = simulate({ settings: { meanTimeBetweenKillsInWorkDays: 5, minTimeBetweenKillsInWorkDays: 3 } });
    await simulation.run(20);
    const gaps = gapsInWorkDays(
      simulation.calendar,
      simulation.cluster.terminated.map((kill) => kill.atMs),
    );
    expect(Math.min(...gaps)).toBe(3);
    // ~740 gaps of 2 + Geometric(1/5) (sd √20 ≈ 4.5): the mean is 7 ± 0.17 (1 sd).
    expect(Math.abs(mean(gaps) - 7)).toBeLessThan(0.8);
    expect(simulation.counter.count('catalog', 'skipped')).toBeGreaterThan(0);
  });

  test('draws each group on its own: two groups are each killed about every mean work days', async () => {
    const simulation = simulate({
      groups: (cluster) => {
        cluster.addGroup('catalog', 2);
        cluster.addGroup('subtitles', 3);
      },
    });
    await simulation.run(5);
    const byGroup = (group: string) =>
      simulation.cluster.terminated.filter((kill) => kill.group === group).map((kill) => kill.atMs);
    for (const group of ['catalog', 'subtitles']) {
      expect(Math.abs(mean(gapsInWorkDays(simulation.calendar, byGroup(group))) - 2)).toBeLessThan(0.3);
    }
    // Both on one day happens about a quarter of the work days.
    const catalogDays = new Set(byGroup('catalog').map((at) => simulation.calendar.dayOf(at).date));
    const together = byGroup('subtitles').filter((at) => catalogDays.has(simulation.calendar.dayOf(at).date));
    expect(together.length / (5 * 261)).toBeGreaterThan(0.18);
    expect(together.length / (5 * 261)).toBeLessThan(0.32);
  });

  test('leashed, it reports the same decisions and kills nothing', async () => {
    const leashed = simulate({ leashed: true });
    const unleashed = simulate({ leashed: false });
    await leashed.run(2);
    await unleashed.run(2);
    expect(leashed.cluster.terminated).toEqual([]);
    const leashedKills = decided(leashed, 'leashed');
    expect(leashedKills.map((decision) => decision.atMs)).toEqual(
      unleashed.cluster.terminated.map((kill) => kill.atMs),
    );
    expect(leashedKills.length).toBeGreaterThan(200);
    expect(leashed.decisions.some((decision) => decision.decision === 'killed')).toBe(false);
  });

  test('holds every kill while an opted-in Deployment is short of ready replicas', async () => {
    const simulation = simulate({
      groups: (cluster) => {
        cluster.addGroup('catalog', 2);
        cluster.addGroup('subtitles', 2);
        cluster.groups.get('subtitles')!.readyReplicas = 1;
      },
    });
    await simulation.run(1);
    expect(simulation.cluster.terminated).toEqual([]);
    const held = decided(simulation, 'held');
    expect(held.length).toBeGreaterThan(150);
    expect(held[0]!.reason).toBe('outage: subtitles has 1/2 ready');
    expect(held.every((decision) => decision.pod !== undefined)).toBe(true);
  });

  test("holds every kill while the platform's own health reports an outage, and kills again once it is over", async () => {
    let outage: string | undefined = 'billing:50056 is NOT_SERVING';
    const simulation = simulate({ outageChecks: [{ outage: async () => outage }] });
    await simulation.run(0.5);
    expect(simulation.cluster.terminated).toEqual([]);
    expect(simulation.counter.count('catalog', 'held')).toBeGreaterThan(40);
    outage = undefined;
    await simulation.run(0.5);
    expect(simulation.cluster.terminated.length).toBeGreaterThan(40);
  });

  test('a PodDisruptionBudget refusal is a held decision naming it', async () => {
    const simulation = simulate();
    simulation.cluster.refuse = "Cannot evict pod as it would violate the pod's disruption budget.";
    await simulation.run(0.2);
    const held = decided(simulation, 'held');
    expect(held.length).toBeGreaterThan(10);
    expect(held.every((decision) => decision.reason === simulation.cluster.refuse)).toBe(true);
    expect(simulation.counter.count('catalog', 'killed')).toBe(0);
  });

  test('an unreachable API server is a failed decision, and the monkey goes on the next work day', async () => {
    const simulation = simulate();
    simulation.cluster.failWith = 'connect ECONNREFUSED 10.96.0.1:443';
    await simulation.run(0.02);
    const failed = decided(simulation, 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]!.reason).toContain('ECONNREFUSED');
    simulation.cluster.failWith = undefined;
    await simulation.run(0.2);
    expect(simulation.cluster.terminated.length).toBeGreaterThan(10);
  });
});

describe('the Chaos Monkey choosing its victim', () => {
  test('kills one opted-in, Running, not terminating pod of an opted-in Deployment, each of them in turn', async () => {
    const notEligible: MonkeyPod[] = [
      {
        name: 'catalog-unlabelled',
        labels: { 'app.kubernetes.io/name': 'catalog' },
        phase: 'Running',
        terminating: false,
      },
      {
        name: 'catalog-pending',
        labels: { 'app.kubernetes.io/name': 'catalog', [OPT_IN_LABEL]: 'enabled' },
        phase: 'Pending',
        terminating: false,
      },
      {
        name: 'catalog-leaving',
        labels: { 'app.kubernetes.io/name': 'catalog', [OPT_IN_LABEL]: 'enabled' },
        phase: 'Running',
        terminating: true,
      },
    ];
    const simulation = simulate({
      groups: (cluster) => {
        cluster.addGroup('catalog', 3, true, notEligible);
        cluster.addGroup('billing', 2, false);
      },
    });
    await simulation.run(2);
    const { terminated } = simulation.cluster;
    expect(terminated.length).toBeGreaterThan(200);
    expect(new Set(terminated.map((kill) => kill.group))).toEqual(new Set(['catalog']));
    expect(terminated.filter((kill) => notEligible.some((pod) => pod.name === kill.pod))).toEqual([]);
    expect(terminated.every((kill) => kill.mode === 'evict')).toBe(true);
    // One pod per kill decision.
    expect(simulation.counter.count('catalog', 'killed')).toBe(terminated.length);
    expect(simulation.decisions.some((decision) => decision.service === 'billing')).toBe(false);
  });

  test('kills by deleting in delete mode', async () => {
    const simulation = simulate({ mode: 'delete' });
    await simulation.run(0.1);
    expect(simulation.cluster.terminated.length).toBeGreaterThan(0);
    expect(simulation.cluster.terminated.every((kill) => kill.mode === 'delete')).toBe(true);
  });

  test('skips, with the reason, when no pod is eligible at kill time', async () => {
    const simulation = simulate({ groups: (cluster) => cluster.addGroup('catalog', 0) });
    simulation.cluster.groups.get('catalog')!.desiredReplicas = 0;
    await simulation.run(0.1);
    const skipped = decided(simulation, 'skipped');
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped[0]!.reason).toBe('no pod is opted in, Running and not terminating');
  });
});

describe('the work calendar', () => {
  test('keeps work hours on local wall-clock time across daylight-saving changes', () => {
    const calendar = new WorkCalendar(LOS_ANGELES, 9, 15);
    // Friday before the US change to PDT (UTC-8), and the Monday after it (UTC-7).
    const friday = calendar.windowOf(calendar.dayOf(Date.parse('2026-03-06T20:00:00Z')));
    const monday = calendar.windowOf(calendar.dayOf(Date.parse('2026-03-09T20:00:00Z')));
    expect(new Date(friday.startMs).toISOString()).toBe('2026-03-06T17:00:00.000Z');
    expect(new Date(monday.startMs).toISOString()).toBe('2026-03-09T16:00:00.000Z');
    expect(new Date(monday.endMs).toISOString()).toBe('2026-03-09T22:00:00.000Z');
    // The day of the change itself (a Sunday in the US): still 6 h of wall-clock time.
    const change = calendar.windowOf(calendar.dayOf(Date.parse('2026-03-08T20:00:00Z')));
    expect(change.endMs - change.startMs).toBe(6 * 3_600_000);
  });

  test('takes the local date, not the UTC one, and numbers work days across a weekend', () => {
    const calendar = new WorkCalendar(LOS_ANGELES, 9, 15);
    // 02:00 UTC on a Saturday is still Friday evening in Los Angeles.
    const friday = calendar.dayOf(Date.parse('2026-01-10T02:00:00Z'));
    expect(friday).toMatchObject({ date: '2026-01-09', weekday: 4, isWorkDay: true });
    const monday = calendar.nextWorkDay(Date.parse('2026-01-10T02:00:00Z'));
    expect(monday).toMatchObject({ date: '2026-01-12', weekday: 0 });
    expect(monday.workDayNumber - friday.workDayNumber).toBe(1);
    expect(calendar.dayOf(Date.parse('2026-01-11T12:00:00Z')).isWorkDay).toBe(false);
  });

  test('refuses an unknown time zone and empty work hours', () => {
    expect(() => new WorkCalendar('Mars/Olympus_Mons', 9, 15)).toThrow('unknown time zone Mars/Olympus_Mons');
    expect(() => new WorkCalendar(LOS_ANGELES, 15, 9)).toThrow(/0 ≤ start < end ≤ 24/);
  });
});

describe('the Chaos Monkey configuration', () => {
  test("defaults to Netflix's: leashed, mean 2 and minimum 1 work days, 9 to 15 in Los Angeles, evictions", () => {
    expect(chaosMonkeyConfigSchema.parse({})).toMatchObject({
      CHAOS_MONKEY_LEASHED: true,
      CHAOS_MONKEY_MEAN_TIME_BETWEEN_KILLS_IN_WORK_DAYS: 2,
      CHAOS_MONKEY_MIN_TIME_BETWEEN_KILLS_IN_WORK_DAYS: 1,
      CHAOS_MONKEY_START_HOUR: 9,
      CHAOS_MONKEY_END_HOUR: 15,
      CHAOS_MONKEY_TIME_ZONE: LOS_ANGELES,
      CHAOS_MONKEY_MODE: 'evict',
      CHAOS_MONKEY_HEALTH_TARGETS: [],
    });
  });

  test('names each bad variable', () => {
    const result = chaosMonkeyConfigSchema.safeParse({
      CHAOS_MONKEY_LEASHED: 'maybe',
      CHAOS_MONKEY_MEAN_TIME_BETWEEN_KILLS_IN_WORK_DAYS: '0.5',
      CHAOS_MONKEY_TIME_ZONE: 'Mars/Olympus_Mons',
      CHAOS_MONKEY_MODE: 'explode',
      CHAOS_MONKEY_HEALTH_TARGETS: 'catalog:50051,billing',
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join('.')).sort()).toEqual([
      'CHAOS_MONKEY_HEALTH_TARGETS.1',
      'CHAOS_MONKEY_LEASHED',
      'CHAOS_MONKEY_MEAN_TIME_BETWEEN_KILLS_IN_WORK_DAYS',
      'CHAOS_MONKEY_MODE',
      'CHAOS_MONKEY_TIME_ZONE',
    ]);
    const hours = chaosMonkeyConfigSchema.safeParse({ CHAOS_MONKEY_START_HOUR: '15', CHAOS_MONKEY_END_HOUR: '9' });
    expect(hours.error!.issues).toEqual([
      expect.objectContaining({
        path: ['CHAOS_MONKEY_END_HOUR'],
        message: 'expected an end hour after CHAOS_MONKEY_START_HOUR',
      }),
    ]);
  });
});
