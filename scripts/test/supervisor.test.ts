import { ManualClock } from '@streamplane/testkit';
import {
  EXIT_BAD_CONFIG,
  FatalStartError,
  Supervisor,
  type Health,
  type ProcessCallbacks,
  type SupervisorEvent,
} from '../supervisor';

/**
 * The supervisor's decisions with fake processes, a fake health check and a manual clock: start order,
 * what "up" is, configuration errors, backoff, and stopping at any moment — as counts and states.
 */

class FakeProcess {
  readonly signals: NodeJS.Signals[] = [];
  constructor(
    readonly service: string,
    readonly callbacks: ProcessCallbacks,
  ) {}

  kill(signal: NodeJS.Signals): void {
    this.signals.push(signal);
  }

  /** The process prints `lines` to stderr, then exits. */
  exit(code: number | null, lines: string[] = [], signal: string | null = null): void {
    for (const line of lines) this.callbacks.onLine(line, 'stderr');
    this.callbacks.onExit(code, signal);
  }
}

const GRAPH = [
  { name: 'catalog', dependsOn: [] },
  { name: 'profiles', dependsOn: ['catalog'] },
  { name: 'billing', dependsOn: [] },
  { name: 'playback-authorization', dependsOn: ['profiles', 'billing', 'catalog'] },
];

function harness(restart = { baseMs: 500, capMs: 30_000, stableAfterMs: 30_000 }) {
  const clock = new ManualClock();
  const launched: FakeProcess[] = [];
  const health = new Map<string, Health>();
  const events: SupervisorEvent[] = [];
  const supervisor = new Supervisor({
    services: GRAPH,
    launch: (service, callbacks) => {
      const process = new FakeProcess(service, callbacks);
      launched.push(process);
      // A process that stops on SIGTERM or SIGKILL, as the services do.
      process.kill = (signal) => {
        process.signals.push(signal);
        queueMicrotask(() => callbacks.onExit(signal === 'SIGTERM' ? 0 : null, signal === 'SIGKILL' ? signal : null));
      };
      return process;
    },
    probe: async (service) => health.get(service) ?? 'UNREACHABLE',
    timers: clock,
    restart,
    probeEveryMs: { starting: 100, up: 1_000 },
    startTimeoutMs: 60_000,
    onEvent: (event) => events.push(event),
  });
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  /** Moves the clock in steps of `stepMs`, letting health answers arrive between steps. */
  const pass = async (ms: number, stepMs = 100) => {
    for (let elapsed = 0; elapsed < ms; elapsed += stepMs) {
      clock.advance(Math.min(stepMs, ms - elapsed));
      await settle();
    }
  };
  const launchesOf = (service: string) => launched.filter((process) => process.service === service);
  const current = (service: string) => launchesOf(service).at(-1)!;
  return { clock, launched, health, events, supervisor, settle, pass, launchesOf, current };
}

describe('supervisor', () => {
  test('starts a service once every service it calls answers health', async () => {
    const { supervisor, health, pass, launchesOf } = harness();
    supervisor.start();
    expect(launchesOf('catalog')).toHaveLength(1);
    expect(launchesOf('billing')).toHaveLength(1);
    expect(launchesOf('profiles')).toHaveLength(0);
    expect(supervisor.state('playback-authorization')).toBe('waiting');

    health.set('catalog', 'SERVING');
    await pass(200);
    expect(launchesOf('profiles')).toHaveLength(1);
    expect(launchesOf('playback-authorization')).toHaveLength(0);

    health.set('profiles', 'SERVING');
    health.set('billing', 'SERVING');
    await pass(200);
    expect(launchesOf('playback-authorization')).toHaveLength(1);
  });

  test('counts NOT_SERVING (a store down) as up: the platform goes on, and says so', async () => {
    const { supervisor, health, pass } = harness();
    const up = supervisor.allUp();
    supervisor.start();
    health.set('catalog', 'SERVING');
    health.set('billing', 'NOT_SERVING');
    await pass(200);
    health.set('profiles', 'NOT_SERVING');
    await pass(200);
    health.set('playback-authorization', 'SERVING');
    await pass(200);
    await expect(up).resolves.toBeUndefined();
    expect(supervisor.states()).toEqual({
      catalog: 'SERVING',
      profiles: 'NOT_SERVING',
      billing: 'NOT_SERVING',
      'playback-authorization': 'SERVING',
    });
    // Its store comes back: the state follows, no restart.
    health.set('billing', 'SERVING');
    await pass(1_000);
    expect(supervisor.state('billing')).toBe('SERVING');
  });

  test('reports a configuration error (exit 78) in one line and never retries it', async () => {
    const { supervisor, pass, launchesOf, current, events } = harness();
    const up = supervisor.allUp();
    supervisor.start();
    current('billing').exit(EXIT_BAD_CONFIG, [
      'billing: invalid configuration:',
      '  DATABASE_URL: expected a postgres:// URL (got "garbage")',
    ]);
    await expect(up).rejects.toEqual(
      new FatalStartError('billing', 'invalid configuration: DATABASE_URL: expected a postgres:// URL (got "garbage")'),
    );
    await pass(120_000, 1_000);
    expect(launchesOf('billing')).toHaveLength(1);
    expect(supervisor.state('billing')).toBe('failed');
    expect(events.filter((event) => event.kind === 'restarting' && event.service === 'billing')).toEqual([]);
    expect(events.filter((event) => event.kind === 'failed')).toHaveLength(1);
  });

  test('doubles the restart backoff while a service keeps dying, up to the cap', async () => {
    const { supervisor, pass, current, events } = harness();
    supervisor.start();
    for (let crash = 0; crash < 9; crash++) {
      current('catalog').exit(1, ['boom']);
      const restart = events.filter((event) => event.kind === 'restarting' && event.service === 'catalog').at(-1);
      await pass((restart as { inMs: number }).inMs, 500);
    }
    const delays = events.flatMap((event) =>
      event.kind === 'restarting' && event.service === 'catalog' ? [event.inMs] : [],
    );
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(events.filter((event) => event.kind === 'crashed' && event.service === 'catalog')).toHaveLength(9);
  });

  test('starts the backoff from the base again once a service stayed up long enough', async () => {
    const { supervisor, health, pass, current, events } = harness();
    supervisor.start();
    for (let crash = 0; crash < 3; crash++) {
      current('catalog').exit(1);
      await pass(4_000, 500);
    }
    health.set('catalog', 'SERVING');
    await pass(31_000, 1_000);
    current('catalog').exit(1);
    const delays = events.flatMap((event) =>
      event.kind === 'restarting' && event.service === 'catalog' ? [event.inMs] : [],
    );
    expect(delays).toEqual([500, 1_000, 2_000, 500]);
  });

  test('stops at any moment, start-up included: nothing is started or restarted afterwards', async () => {
    const { supervisor, health, pass, launched, current, events } = harness();
    const up = supervisor.allUp();
    supervisor.start();
    health.set('catalog', 'SERVING');
    await pass(200);
    current('billing').exit(1); // a restart is pending
    const launchesBefore = launched.length;
    await supervisor.stop();
    await expect(up).rejects.toThrow(/stopped before every service was up/);
    await pass(120_000, 1_000);
    expect(launched).toHaveLength(launchesBefore);
    expect(Object.values(supervisor.states()).every((state) => state === 'stopped')).toBe(true);
    // Every process that was running got SIGTERM (it drains); none was killed harder.
    for (const process of launched.filter((candidate) => candidate.signals.length > 0)) {
      expect(process.signals).toEqual(['SIGTERM']);
    }
    expect(
      events
        .filter((event) => event.kind === 'stopped')
        .map((event) => event.service)
        .sort(),
    ).toEqual(['catalog', 'profiles'].sort());
  });

  test('a clean stop is a stop, not a crash, dependents first', async () => {
    const { supervisor, health, pass, events } = harness();
    supervisor.start();
    for (const service of ['catalog', 'billing', 'profiles', 'playback-authorization']) health.set(service, 'SERVING');
    await pass(1_000);
    await supervisor.stop();
    expect(events.filter((event) => event.kind === 'crashed')).toEqual([]);
    const stopped = events.flatMap((event) => (event.kind === 'stopped' ? [event.service] : []));
    expect(stopped).toHaveLength(4);
    expect(stopped.indexOf('playback-authorization')).toBeLessThan(stopped.indexOf('catalog'));
    expect(stopped.indexOf('profiles')).toBeLessThan(stopped.indexOf('catalog'));
  });

  test('kills a service that ignores SIGTERM once the stop timeout passes', async () => {
    const { supervisor, health, pass, clock, current } = harness();
    supervisor.start();
    health.set('catalog', 'SERVING');
    await pass(200);
    const stubborn = current('billing');
    stubborn.kill = (signal) => {
      stubborn.signals.push(signal);
      if (signal === 'SIGKILL') queueMicrotask(() => stubborn.callbacks.onExit(null, 'SIGKILL'));
    };
    const stopped = supervisor.stop();
    await pass(20_000, 1_000);
    await stopped;
    expect(stubborn.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(clock.pendingTimers).toBe(0);
  });

  test('treats a start that never answers health as a crash after the start timeout', async () => {
    const { supervisor, pass, launchesOf, events } = harness();
    supervisor.start();
    await pass(61_000, 1_000);
    expect(events.filter((event) => event.kind === 'crashed' && event.service === 'catalog')).toHaveLength(1);
    await pass(1_000);
    expect(launchesOf('catalog').length).toBeGreaterThanOrEqual(2);
  });
});
