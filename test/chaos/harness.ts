import { SERVICES, type ServiceName } from '@streamplane/contracts';
import { healthClient, percentile, type TestClient } from '@streamplane/testkit';
import {
  DEFAULT_LOAD,
  grpcPlatformCalls,
  loadSubjects,
  Platform,
  realTimers,
  runLoad,
  ViewerPool,
  type LoadOptions,
  type LoadRecorder,
  type LoadSubjects,
  type PlatformCalls,
  type PlatformOptions,
} from '@streamplane/tools';

/**
 * What the chaos suite runs against: the whole platform as real processes (supervised as `npm start`
 * does, on free ports), viewers and titles as the platform names them, bounded open-loop play load from
 * the load generator, and a record of every AuthorizePlayback: when it started and ended, its code, what
 * it went without.
 */

export interface PlayRecord {
  startedAt: number;
  endedAt: number;
  code: string;
  degraded: readonly string[];
  /** The priority the play was sent with (x-streamplane-priority), critical when none. */
  priority: string;
  /** The status message of a failed play. */
  details?: string;
}

/** The calls of a load run, recording each AuthorizePlayback. */
export class RecordingCalls implements PlatformCalls {
  readonly plays: PlayRecord[] = [];

  constructor(private readonly inner: PlatformCalls) {}

  async call(service: ServiceName, method: string, request: object, metadata?: Record<string, string>) {
    const startedAt = Date.now();
    const outcome = await this.inner.call(service, method, request, metadata);
    if (method === 'AuthorizePlayback') {
      const degraded = (outcome.response as { degraded_features?: string[] } | undefined)?.degraded_features ?? [];
      const priority = metadata?.['x-streamplane-priority'] ?? 'critical';
      this.plays.push({
        startedAt,
        endedAt: Date.now(),
        code: outcome.code,
        degraded,
        priority,
        details: outcome.details,
      });
    }
    return outcome;
  }

  close(): void {
    this.inner.close();
  }

  /** Plays that started in [from, to). */
  between(from: number, to = Infinity): PlayRecord[] {
    return this.plays.filter((play) => play.startedAt >= from && play.startedAt < to);
  }
}

export const duration = (play: PlayRecord) => play.endedAt - play.startedAt;

export interface ChaosPlatform {
  platform: Platform;
  calls: RecordingCalls;
  subjects: LoadSubjects;
  /** Lines the services wrote (JSON), for counting what they logged. */
  lines: Array<{ service: string; line: string }>;
  /** Plays at `rate` per second for `durationMs`, each lasting `playMs`; resolves with the recorder. */
  load(
    rate: number,
    durationMs: number,
    options?: Partial<LoadOptions> & { metadata?: Record<string, string> },
  ): Promise<LoadRecorder>;
  /** Resolves with the moment `service` first answers SERVING to a health check, polled every 20 ms. */
  servingAgain(service: ServiceName, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

export async function startChaosPlatform(
  env: NodeJS.ProcessEnv = {},
  accounts = 300,
  alongside: Pick<PlatformOptions, 'withEdge' | 'withControlRoom'> = {},
): Promise<ChaosPlatform> {
  const lines: ChaosPlatform['lines'] = [];
  const platform = await Platform.start({
    ports: 'free',
    ...alongside,
    env: { LOG_LEVEL: 'warn', ...env },
    onEvent: (event) => {
      if (event.kind === 'line') lines.push({ service: event.service, line: event.line });
    },
  });
  const addresses = Object.fromEntries(
    (Object.keys(SERVICES) as ServiceName[]).map((name) => [name, platform.address(name)]),
  ) as Record<ServiceName, string>;
  const calls = new RecordingCalls(grpcPlatformCalls(addresses));
  const probes = new Map<ServiceName, TestClient>();
  try {
    const subjects = await loadSubjects(calls, { accounts, country: 'US' });
    // One pool for every run, so that runs side by side never take the same stream slot twice.
    const viewers = new ViewerPool(subjects.viewers);
    calls.plays.length = 0;
    const isServing = (service: ServiceName): Promise<boolean> => {
      let client = probes.get(service);
      if (!client) probes.set(service, (client = healthClient(addresses[service])));
      return client
        .call<{ status: string }>('Check', { service: SERVICES[service].grpcService }, { deadlineMs: 200 })
        .then(
          ({ status }) => status === 'SERVING',
          () => false,
        );
    };
    return {
      platform,
      calls,
      subjects,
      lines,
      load: (rate, durationMs, { metadata, ...options } = {}) =>
        runLoad(
          { ...DEFAULT_LOAD, rate, durationMs, mix: [['play', 1]], playMs: 300, maxInFlight: 5_000, ...options },
          {
            calls,
            viewers,
            titles: subjects.titles,
            tokenOf: subjects.tokenOf,
            timers: realTimers,
            metadataFor: metadata && (() => metadata),
          },
        ),
      async servingAgain(service, timeoutMs = 30_000) {
        const giveUpAt = Date.now() + timeoutMs;
        while (Date.now() < giveUpAt) {
          if (await isServing(service)) return Date.now();
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        throw new Error(`${service} did not answer SERVING within ${timeoutMs} ms`);
      },
      async stop() {
        for (const client of probes.values()) client.close();
        calls.close();
        await platform.stop();
      },
    };
  } catch (error) {
    calls.close();
    await platform.stop();
    throw error;
  }
}

/** Waits `ms`, for the moments of a scenario. */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The log lines of `service` (all services when omitted) whose message is `msg`. */
export function logged(lines: ChaosPlatform['lines'], msg: string, service?: string): number {
  return lines.filter((entry) => (!service || entry.service === service) && entry.line.includes(`"msg":"${msg}"`))
    .length;
}

/** Latency p50/p99 of plays, in ms. */
export function latencies(plays: readonly PlayRecord[]): { p50: number; p99: number } {
  const sorted = plays.map(duration).sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/**
 * After a dependency answers SERVING at `servingAt`: how long until plays succeed again for good (the
 * start of the last failing play after it, or 0), in ms.
 */
export function recoveryMs(plays: readonly PlayRecord[], servingAt: number): number {
  const lastFailure = plays.filter((play) => play.startedAt >= servingAt && play.code !== 'OK').at(-1);
  return lastFailure ? lastFailure.startedAt - servingAt : 0;
}

/** Prints a scenario's figures on the terminal, past jest's console capture: what README's table quotes. */
export function printFigures(scenario: string, figures: Record<string, number | string>): void {
  const text = Object.entries(figures)
    .map(([name, value]) => `${name} ${typeof value === 'number' ? Math.round(value * 10) / 10 : value}`)
    .join(', ');
  process.stdout.write(`chaos figures · ${scenario}: ${text}\n`);
}
