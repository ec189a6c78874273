import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, SteppedTimers } from '@streamplane/testkit';
import { mulberry32 } from '@streamplane/streaming';
import { localProcesses, monkeyCommand, MonkeyUsageError, parseMonkeyArguments } from '../chaos/monkey-command';
import {
  compressedKillTimes,
  LOCAL_MONKEY_DEFAULT_SERVICES,
  LocalMonkey,
  type LocalMonkeyEvent,
  type LocalProcesses,
} from '../chaos/monkey/local-monkey';
import { RunFile, runFilePath, type RunningService, type RunRecord } from '../run-file';
import { Supervisor, type SupervisorEvent } from '../supervisor';

/**
 * `npm run chaos -- monkey`: its options, its compressed schedule and checks with a manual clock and fake
 * processes, and, with real processes, that what it kills the supervisor restarts and that it never
 * signals a process that is not the service it names.
 */

describe('npm run chaos -- monkey: options', () => {
  test('defaults to a kill about every 20 s for 2 min among the services whose local state is only their seed', () => {
    expect(parseMonkeyArguments([])).toEqual({
      everyMs: 20_000,
      durationMs: 120_000,
      services: [...LOCAL_MONKEY_DEFAULT_SERVICES],
      portOffset: 0,
    });
    expect(LOCAL_MONKEY_DEFAULT_SERVICES).toEqual(['catalog', 'recommendations', 'subtitles', 'steering']);
  });

  test('reads every option', () => {
    expect(
      parseMonkeyArguments([
        '--every',
        '5s',
        '--duration',
        '1m',
        '--services',
        'billing, subtitles,billing',
        '--port-offset',
        '100',
        '--seed',
        '42',
      ]),
    ).toEqual({ everyMs: 5_000, durationMs: 60_000, services: ['billing', 'subtitles'], portOffset: 100, seed: 42 });
  });

  test.each([
    [['--every'], '--every needs a value'],
    [['--every', 'soon'], '--every takes a duration such as 30s, 2m or 500ms (got soon)'],
    [['--every', '50ms'], '--every takes 200ms to 1h (got 50 ms)'],
    [['--every', '30s', '--duration', '10s'], '--duration takes from --every (30000 ms) up to 8h'],
    [['--duration', '9h'], '--duration takes from --every (20000 ms) up to 8h'],
    [['--services', 'billing,search'], '--services: search is not a service'],
    [['--services', ','], '--services names no service'],
    [['--port-offset', '-1'], '--port-offset takes a whole number from 0 to 10000 (got -1)'],
    [['--seed', '--every'], '--seed needs a value'],
    [['--port-offset', '1.5'], '--port-offset takes a whole number from 0 to 10000 (got 1.5)'],
    [['--kill-all'], 'unknown option --kill-all'],
  ])('refuses %j: %s', (args, message) => {
    expect(() => parseMonkeyArguments(args)).toThrow(MonkeyUsageError);
    expect(() => parseMonkeyArguments(args)).toThrow(message);
  });

  test('exits 2 with the reason and the usage on bad usage, and 1 when no npm start runs', async () => {
    const errors: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    try {
      expect(await monkeyCommand(['--every', 'soon'], {})).toBe(2);
      expect(errors[0]).toMatch(
        /^npm run chaos -- monkey: --every takes a duration.*\nusage: npm run chaos -- monkey /,
      );
      const empty = mkdtempSync(join(tmpdir(), 'monkey-run-'));
      expect(await monkeyCommand(['--port-offset', '7'], { STREAMPLANE_RUN_DIR: empty })).toBe(1);
      expect(errors[1]).toBe(
        `npm run chaos -- monkey: no npm start -- --port-offset 7 is running (no ${join(empty, 'run-7.json')}); start one first`,
      );
    } finally {
      spy.mockRestore();
    }
  });
});

describe('the local monkey schedule', () => {
  test('kills once in the middle half of each slot of --every: about --every apart, never closer than half', () => {
    const times = compressedKillTimes(0, 20_000, 10 * 60_000, mulberry32(1));
    expect(times).toHaveLength(30);
    times.forEach((at, slot) => {
      expect(at - slot * 20_000).toBeGreaterThanOrEqual(5_000);
      expect(at - slot * 20_000).toBeLessThan(15_000);
    });
    const gaps = times.slice(1).map((at, index) => at - times[index]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(10_000);
    expect(Math.abs(gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length - 20_000)).toBeLessThan(2_000);
  });

  /** An npm start whose services restart a second after a kill, with new pids. */
  class FakeRun implements LocalProcesses {
    readonly killed: number[] = [];
    supervisorAlive = true;
    strangers = new Set<number>();
    private nextPid = 1000;
    readonly services: Record<string, RunningService> = {};

    constructor(
      private readonly clock: SteppedTimers,
      names: readonly string[],
    ) {
      for (const name of names) {
        this.services[name] = { pid: this.nextPid++, entry: `services/${name}/dist/main.js`, health: 'SERVING' };
      }
    }

    read(): RunRecord {
      return { supervisorPid: 1, portOffset: 0, startedAt: '', services: { ...this.services } };
    }

    isAlive(pid: number): boolean {
      return pid === 1 && this.supervisorAlive;
    }

    async isChildRunning(pid: number, parentPid: number, entry: string): Promise<boolean> {
      return (
        parentPid === 1 &&
        !this.strangers.has(pid) &&
        Object.values(this.services).some((s) => s.pid === pid && s.entry === entry)
      );
    }

    kill(pid: number): void {
      this.killed.push(pid);
      const [name, service] = Object.entries(this.services).find(([, s]) => s.pid === pid)!;
      delete this.services[name];
      this.clock.setTimeout(() => (this.services[name] = { ...service, pid: this.nextPid++ }), 1_000);
    }
  }

  function localRun(options: { services?: string[]; everyMs?: number; durationMs?: number } = {}) {
    const timers = new SteppedTimers(new ManualClock());
    const run = new FakeRun(timers, ['catalog', 'subtitles', 'billing']);
    const events: LocalMonkeyEvent[] = [];
    const monkey = new LocalMonkey({
      services: options.services ?? ['catalog', 'subtitles'],
      everyMs: options.everyMs ?? 20_000,
      durationMs: options.durationMs ?? 120_000,
      processes: run,
      timers,
      random: mulberry32(5),
      onEvent: (event) => events.push(event),
    });
    const startMs = timers.nowMs();
    return { timers, run, events, monkey, startMs };
  }

  test('kills one opted-in service per slot and sees each one back', async () => {
    const { timers, run, events, monkey, startMs } = localRun();
    const finished = monkey.run();
    await timers.runUntil(startMs + 130_000);
    const summary = await finished;
    const kills = events.filter((event) => event.kind === 'killed');
    expect(kills).toHaveLength(6);
    expect(run.killed).toEqual(kills.map((kill) => kill.pid));
    expect(new Set(kills.map((kill) => kill.service))).toEqual(new Set(['catalog', 'subtitles']));
    expect(events.filter((event) => event.kind === 'back').map((event) => event.afterMs)).toEqual(Array(6).fill(1_000));
    expect(summary).toMatchObject({ held: 0, skipped: 0, notBack: [], gone: false });
    expect(Object.values(summary.kills).reduce((sum, count) => sum + count, 0)).toBe(6);
  });

  test('holds the kill while an opted-in service is not up (an outage)', async () => {
    const { timers, run, events, monkey, startMs } = localRun();
    delete run.services.subtitles;
    const finished = monkey.run();
    await timers.runUntil(startMs + 130_000);
    expect((await finished).held).toBe(6);
    expect(run.killed).toEqual([]);
    expect(events[0]).toMatchObject({ kind: 'held', reason: 'subtitles not serving' });
  });

  test('holds the kill while an opted-in service answers NOT_SERVING (its store is down)', async () => {
    const { timers, run, events, monkey, startMs } = localRun();
    run.services.subtitles = { ...run.services.subtitles!, health: 'NOT_SERVING' };
    const finished = monkey.run();
    await timers.runUntil(startMs + 130_000);
    expect((await finished).held).toBe(6);
    expect(run.killed).toEqual([]);
    expect(events[0]).toMatchObject({ kind: 'held', reason: 'subtitles not serving' });
  });

  test('reports a service that died between the check and the signal as skipped, and goes on', async () => {
    const { timers, run, events, monkey, startMs } = localRun({ services: ['catalog'] });
    run.kill = () => {
      throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
    };
    const finished = monkey.run();
    await timers.runUntil(startMs + 130_000);
    expect((await finished).skipped).toBe(6);
    expect(events[0]).toMatchObject({
      kind: 'skipped',
      reason: 'catalog (pid 1000) could not be signalled: kill ESRCH',
    });
  });

  test('never signals a pid that is no longer the service it names', async () => {
    const { timers, run, events, monkey, startMs } = localRun({ services: ['catalog'] });
    run.strangers.add(run.services.catalog!.pid);
    const finished = monkey.run();
    await timers.runUntil(startMs + 130_000);
    expect((await finished).skipped).toBe(6);
    expect(run.killed).toEqual([]);
    expect(events[0]).toMatchObject({
      kind: 'skipped',
      reason: "pid 1000 is no longer catalog's process; nothing was signalled",
    });
  });

  test('stops, saying so, when npm start goes away', async () => {
    const { timers, run, events, monkey, startMs } = localRun();
    run.supervisorAlive = false;
    const finished = monkey.run();
    await timers.runUntil(startMs + 130_000);
    expect((await finished).gone).toBe(true);
    expect(events).toEqual([
      { kind: 'gone', atMs: expect.any(Number), reason: 'npm start (pid 1) is no longer running' },
    ]);
  });

  test('stop() (Ctrl-C) ends the run at once', async () => {
    const { timers, run, monkey, startMs } = localRun();
    const finished = monkey.run();
    await timers.runUntil(startMs + 30_000);
    monkey.stop();
    await timers.runUntil(startMs + 130_000);
    await finished;
    expect(run.killed).toHaveLength(1);
  });
});

describe('npm run chaos -- monkey against supervised processes', () => {
  const IDLE = join(__dirname, 'fixtures', 'idle-service.js');
  const children: ChildProcess[] = [];
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'monkey-run-'));
  });

  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    rmSync(directory, { recursive: true, force: true });
  });

  function idleProcess(args: string[] = []): ChildProcess {
    const child = spawn(process.execPath, [IDLE, ...args], { stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(child);
    return child;
  }

  test('checks with ps that a pid is a child of npm start running the named entry point', async () => {
    const child = idleProcess(['catalog']);
    await new Promise((resolve) => child.once('spawn', resolve));
    const processes = localProcesses(join(directory, 'run-0.json'));
    expect(await processes.isChildRunning(child.pid!, process.pid, IDLE)).toBe(true);
    expect(await processes.isChildRunning(child.pid!, process.pid, 'services/catalog/dist/main.js')).toBe(false);
    expect(await processes.isChildRunning(child.pid!, process.pid + 1, IDLE)).toBe(false);
    expect(await processes.isChildRunning(process.pid, process.pid, IDLE)).toBe(false);
    expect(processes.isAlive(child.pid!)).toBe(true);
  });

  test("kills the supervisor's services with SIGKILL on the schedule, and the supervisor restarts each one", async () => {
    const live = new Map<string, ChildProcess>();
    const events: SupervisorEvent[] = [];
    const runFile = new RunFile(runFilePath(0, { STREAMPLANE_RUN_DIR: directory }), {
      supervisorPid: process.pid,
      portOffset: 0,
    });
    const track = runFile.tracker((service) => ({ pid: live.get(service)?.pid, entry: IDLE }));
    const supervisor = new Supervisor({
      services: [
        { name: 'catalog', dependsOn: [] },
        { name: 'subtitles', dependsOn: [] },
      ],
      launch: (service, callbacks) => {
        const child = idleProcess([service]);
        live.set(service, child);
        child.once('exit', (code, signal) => callbacks.onExit(code, signal));
        return child;
      },
      probe: async (service) => (live.get(service)?.exitCode === null ? 'SERVING' : 'UNREACHABLE'),
      probeEveryMs: { starting: 20, up: 50 },
      restart: { baseMs: 100, capMs: 400, stableAfterMs: 100 },
      onEvent: (event) => {
        events.push(event);
        track(event);
      },
    });
    const lines: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      supervisor.start();
      await supervisor.allUp();
      const before = { catalog: supervisor.pid('catalog'), subtitles: supervisor.pid('subtitles') };
      const code = await monkeyCommand(
        ['--every', '800ms', '--duration', '4s', '--services', 'catalog,subtitles', '--seed', '3'],
        { STREAMPLANE_RUN_DIR: directory },
      );
      expect(code).toBe(0);
      const kills = lines.filter((line) => / killed (catalog|subtitles) \(pid \d+\) with SIGKILL$/.test(line));
      const crashes = events.filter((event) => event.kind === 'crashed' && event.signal === 'SIGKILL');
      expect(kills.length).toBeGreaterThanOrEqual(3);
      expect(crashes).toHaveLength(kills.length);
      expect(lines.filter((line) => / is back \(pid \d+\) after /.test(line))).toHaveLength(kills.length);
      expect(lines.at(-1)).toMatch(/^▶ chaos monkey done: \d+ kill\(s\) .*every one came back; \d+ held, 0 skipped$/);
      await supervisor.allUp();
      const killedServices = new Set(crashes.map((event) => (event as { service: string }).service));
      for (const service of killedServices) {
        expect(supervisor.pid(service)).not.toBe(before[service as 'catalog' | 'subtitles']);
      }
    } finally {
      log.mockRestore();
      await supervisor.stop();
      runFile.remove();
    }
  });
});
