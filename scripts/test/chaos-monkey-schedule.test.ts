import { mulberry32 } from '@streamplane/streaming';
import { ManualClock, SteppedTimers } from '@streamplane/testkit';
import {
  ChaosMonkey,
  LAST_KILL_ANNOTATION,
  OPT_IN_LABEL,
  type MonkeyCluster,
  type MonkeyGroup,
  type MonkeyPod,
  type OutageCheck,
  type TerminationResult,
} from '../chaos/monkey/chaos-monkey';
import { chaosMonkeyConfigSchema } from '../chaos/monkey/config';
import { countingServicesOf, DecisionCounter } from '../chaos/monkey/decision-metrics';
import { allOf, type Decision, type DecisionSink, type TerminationMode } from '../chaos/monkey/decisions';
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

/**
 * A cluster of Deployments, each with its pods; a terminated pod is replaced at once by a new one. Each
 * Deployment keeps the last kill written on it, as the annotation does.
 */
class FakeCluster implements MonkeyCluster {
  readonly terminated: Array<{ pod: string; group: string; mode: TerminationMode; atMs: number }> = [];
  /** The last kill written on each Deployment. */
  readonly lastKills = new Map<string, number>();
  /** Every write of a last kill, in order. */
  readonly writes: Array<{ group: string; atMs: number }> = [];
  /** How many times the Deployments were listed. */
  listings = 0;
  failWritesWith?: string;
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
    this.listings++;
    if (this.failWith) throw new Error(this.failWith);
    return [...this.groups.values()]
      .filter((group) => group.optedIn)
      .map(({ name, desiredReplicas, readyReplicas }) => ({
        name,
        desiredReplicas,
        readyReplicas,
        lastKillMs: this.lastKills.get(name),
      }));
  }

  async recordLastKill(group: string, atMs: number): Promise<void> {
    if (this.failWritesWith) throw new Error(this.failWritesWith);
    this.writes.push({ group, atMs });
    this.lastKills.set(group, atMs);
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

describe('the Chaos Monkey keeping its kill history on the Deployments', () => {
  // Monday 2026-01-05 in Los Angeles (UTC-8 in January): 09:00 there is 17:00 UTC.
  const MONDAY_9AM = Date.parse('2026-01-05T17:00:00Z');
  const HOUR_MS = 3_600_000;

  /** A fresh monkey (a fresh schedule, nothing in memory) over an existing cluster and clock, as after a restart. */
  function monkeyOver(
    cluster: FakeCluster,
    timers: SteppedTimers,
    options: { random?: () => number; leashed?: boolean; sink?: DecisionSink; settings?: Partial<ScheduleSettings> },
  ): ChaosMonkey {
    const calendar = new WorkCalendar(LOS_ANGELES, 9, 15);
    const random = options.random ?? mulberry32(11);
    const settings = { meanTimeBetweenKillsInWorkDays: 1, minTimeBetweenKillsInWorkDays: 2, ...options.settings };
    return new ChaosMonkey({
      cluster,
      calendar,
      schedule: new KillSchedule(settings, calendar, random),
      sink: options.sink ?? { record: async () => undefined },
      timers,
      random,
      leashed: options.leashed ?? false,
      mode: 'evict',
    });
  }

  function setUp(startMs = MONDAY_9AM) {
    const clock = new ManualClock(new Date(startMs).toISOString());
    const timers = new SteppedTimers(clock);
    const cluster = new FakeCluster(clock);
    cluster.addGroup('catalog', 2);
    const decisions: Decision[] = [];
    const sink: DecisionSink = { record: async (decision) => void decisions.push(decision) };
    return { clock, timers, cluster, decisions, sink };
  }

  const iso = (ms: number) => new Date(ms).toISOString();

  test('a monkey restarted mid-day does not kill again inside the minimum gap, and kills once it has passed', async () => {
    const { timers, cluster, decisions, sink } = setUp();
    // p = 1 and a fixed draw: the first monkey kills catalog at 10:30 on Monday and writes it on the Deployment.
    const first = monkeyOver(cluster, timers, { random: () => 0.25 });
    first.start();
    await timers.runUntil(MONDAY_9AM + 2 * HOUR_MS);
    first.stop();
    expect(cluster.terminated.map((kill) => iso(kill.atMs))).toEqual(['2026-01-05T18:30:00.000Z']);
    expect(cluster.writes).toEqual([{ group: 'catalog', atMs: Date.parse('2026-01-05T18:30:00Z') }]);

    // Restarted at 11:00 (a crash, a chart upgrade): nothing in memory, the same Deployments.
    const second = monkeyOver(cluster, timers, { random: () => 0.25, sink });
    second.start();
    await timers.runUntil(Date.parse('2026-01-07T17:00:00Z') - 1); // until Wednesday's draw
    expect(cluster.terminated).toHaveLength(1);
    expect(decisions.map(({ decision, reason, atMs }) => ({ decision, reason, at: iso(atMs) }))).toEqual([
      {
        decision: 'skipped',
        reason: 'last kill 0 work day(s) ago, the minimum is 2',
        at: '2026-01-05T19:00:00.000Z',
      },
      {
        decision: 'skipped',
        reason: 'last kill 1 work day(s) ago, the minimum is 2',
        at: '2026-01-06T17:00:00.000Z',
      },
    ]);
    // Wednesday is two work days after Monday's kill: the gap has passed.
    await timers.runUntil(Date.parse('2026-01-07T23:00:00Z'));
    second.stop();
    expect(cluster.terminated.map((kill) => iso(kill.atMs))).toEqual([
      '2026-01-05T18:30:00.000Z',
      '2026-01-07T18:30:00.000Z',
    ]);
    expect(cluster.lastKills.get('catalog')).toBe(Date.parse('2026-01-07T18:30:00Z'));
  });

  test("honours a kill another monkey made after this one's draw: the Deployments are read again at kill time", async () => {
    const { timers, cluster, decisions, sink } = setUp();
    // Both draw catalog at 09:00; one kills at 10:30, the other is due at 12:00.
    const early = monkeyOver(cluster, timers, { random: () => 0.25 });
    const late = monkeyOver(cluster, timers, { random: () => 0.5, sink });
    early.start();
    late.start();
    await timers.runUntil(MONDAY_9AM + 6 * HOUR_MS);
    early.stop();
    late.stop();
    expect(cluster.terminated.map((kill) => iso(kill.atMs))).toEqual(['2026-01-05T18:30:00.000Z']);
    expect(decisions.map(({ decision, reason, atMs }) => ({ decision, reason, at: iso(atMs) }))).toEqual([
      { decision: 'scheduled', reason: undefined, at: '2026-01-05T17:00:00.000Z' },
      {
        decision: 'skipped',
        reason: 'last kill 0 work day(s) ago, the minimum is 2',
        at: '2026-01-05T20:00:00.000Z',
      },
    ]);
  });

  test('writes each real kill on its Deployment, at the instant of the kill, and nothing when leashed', async () => {
    const unleashed = setUp();
    const monkey = monkeyOver(unleashed.cluster, unleashed.timers, { settings: { minTimeBetweenKillsInWorkDays: 1 } });
    monkey.start();
    await unleashed.timers.runUntil(MONDAY_9AM + 0.25 * YEAR_MS);
    monkey.stop();
    expect(unleashed.cluster.terminated.length).toBeGreaterThan(50);
    expect(unleashed.cluster.writes).toEqual(
      unleashed.cluster.terminated.map((kill) => ({ group: kill.group, atMs: kill.atMs })),
    );

    const leashed = setUp();
    const dryRun = monkeyOver(leashed.cluster, leashed.timers, {
      leashed: true,
      sink: leashed.sink,
      settings: { minTimeBetweenKillsInWorkDays: 1 },
    });
    dryRun.start();
    await leashed.timers.runUntil(MONDAY_9AM + 0.25 * YEAR_MS);
    dryRun.stop();
    expect(leashed.decisions.filter((decision) => decision.decision === 'leashed').length).toBeGreaterThan(50);
    expect(leashed.cluster.terminated).toEqual([]);
    expect(leashed.cluster.writes).toEqual([]);
  });

  test('a leashed "would kill" does not hold back a restarted, unleashed monkey', async () => {
    const { timers, cluster, decisions, sink } = setUp();
    const dryRun = monkeyOver(cluster, timers, { random: () => 0.25, leashed: true });
    dryRun.start();
    await timers.runUntil(MONDAY_9AM + 2 * HOUR_MS);
    dryRun.stop();
    // Unleashed with `helm upgrade --set chaosMonkey.leashed=false` (Recreate: a new monkey) at 11:00.
    const monkey = monkeyOver(cluster, timers, { random: () => 0.25, sink });
    monkey.start();
    await timers.runUntil(MONDAY_9AM + 6 * HOUR_MS);
    monkey.stop();
    expect(cluster.terminated.map((kill) => iso(kill.atMs))).toEqual(['2026-01-05T20:00:00.000Z']);
    expect(decisions.map((decision) => decision.decision)).toEqual(['scheduled', 'killed']);
  });

  test('a failed write is a failed decision, counted; the kill stands, the gap is kept in memory, the monkey goes on', async () => {
    const { timers, cluster, decisions, sink } = setUp();
    cluster.failWritesWith = 'patch deployment catalog: HTTP 403: deployments.apps "catalog" is forbidden';
    const counter = new DecisionCounter();
    const monkey = monkeyOver(cluster, timers, { sink: allOf(sink, counter) });
    monkey.start();
    await timers.runUntil(MONDAY_9AM + 28 * 86_400_000);
    monkey.stop();
    const kills = cluster.terminated.map((kill) => kill.atMs);
    // p = 1 with a minimum gap of 2: every other work day, 20 work days from Monday.
    expect(kills).toHaveLength(10);
    expect(Math.min(...gapsInWorkDays(new WorkCalendar(LOS_ANGELES, 9, 15), kills))).toBe(2);
    expect(cluster.writes).toEqual([]);
    const failed = decisions.filter((decision) => decision.decision === 'failed');
    expect(failed.map((decision) => decision.atMs)).toEqual(kills);
    expect(failed[0]).toMatchObject({
      service: 'catalog',
      pod: { name: expect.stringMatching(/^catalog-/) },
      reason: `recording the kill on the Deployment (${LAST_KILL_ANNOTATION}): ${cluster.failWritesWith}`,
    });
    expect(counter.count('catalog', 'killed')).toBe(10);
    expect(counter.count('catalog', 'failed')).toBe(10);
    // Each failure follows the kill it concerns.
    const order = decisions.map((decision) => decision.decision).filter((kind) => kind !== 'skipped');
    expect(order.slice(0, 3)).toEqual(['scheduled', 'killed', 'failed']);
  });

  test('started on a weekend with the API server down, it lists nothing and reports nothing until Monday', async () => {
    // Saturday 10:00 in Los Angeles.
    const { timers, cluster, decisions, sink } = setUp(Date.parse('2026-01-10T18:00:00Z'));
    cluster.failWith = 'connect ECONNREFUSED 10.96.0.1:443';
    const monkey = monkeyOver(cluster, timers, { sink });
    monkey.start();
    await timers.runUntil(Date.parse('2026-01-12T17:00:00Z') - 1); // just before Monday 09:00
    expect(cluster.listings).toBe(0);
    expect(decisions).toEqual([]);
    await timers.runUntil(Date.parse('2026-01-12T18:00:00Z'));
    monkey.stop();
    expect(cluster.listings).toBeGreaterThan(0);
    expect(decisions[0]).toMatchObject({ decision: 'failed', service: '*', atMs: Date.parse('2026-01-12T17:00:00Z') });
  });

  test('after the work hours it lists nothing until the next work day', async () => {
    // Monday 16:00 in Los Angeles.
    const { timers, cluster, decisions, sink } = setUp(MONDAY_9AM + 7 * HOUR_MS);
    const monkey = monkeyOver(cluster, timers, { sink });
    monkey.start();
    await timers.runUntil(Date.parse('2026-01-06T17:00:00Z') - 1);
    expect(cluster.listings).toBe(0);
    await timers.runUntil(Date.parse('2026-01-06T17:00:01Z'));
    monkey.stop();
    expect(cluster.listings).toBe(1);
    expect(decisions[0]).toMatchObject({ decision: 'scheduled', atMs: Date.parse('2026-01-06T17:00:00Z') });
  });

  test('starts every opted-in service at zero on /metrics once the Deployments are listed', async () => {
    const { timers, cluster } = setUp(Date.parse('2026-01-10T18:00:00Z'));
    cluster.addGroup('subtitles', 2);
    cluster.addGroup('billing', 2, false);
    const counter = new DecisionCounter();
    const calendar = new WorkCalendar(LOS_ANGELES, 9, 15);
    // A mean so long that nothing is drawn: only the zeros.
    const schedule = new KillSchedule(
      { meanTimeBetweenKillsInWorkDays: 1e9, minTimeBetweenKillsInWorkDays: 1 },
      calendar,
      Math.random,
    );
    const monkey = new ChaosMonkey({
      cluster: countingServicesOf(cluster, counter),
      calendar,
      schedule,
      sink: counter,
      timers,
      random: Math.random,
      leashed: true,
      mode: 'evict',
    });
    monkey.start();
    await timers.runUntil(Date.parse('2026-01-12T16:00:00Z')); // the weekend: nothing listed yet
    expect(counter.exposition()).not.toContain('service=');
    await timers.runUntil(Date.parse('2026-01-12T18:00:00Z'));
    monkey.stop();
    const series = counter
      .exposition()
      .split('\n')
      .filter((line) => line.startsWith('chaos_monkey_decisions_total{'));
    expect(series).toHaveLength(2 * 6);
    expect(series).toContain('chaos_monkey_decisions_total{service="subtitles",decision="killed"} 0');
    expect(series).toContain('chaos_monkey_decisions_total{service="catalog",decision="held"} 0');
    expect(series.some((line) => line.includes('billing'))).toBe(false);
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
