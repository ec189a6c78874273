import { setMaxListeners } from 'node:events';
import type { ServiceName } from '@streamplane/contracts';
import { SeededRandom } from '@streamplane/streaming';
import type { Timers } from '../timers';
import type { ActionKind, LoadOptions } from './options';
import type { CallOutcome, PlatformCalls } from './platform-calls';
import { LoadRecorder } from './recorder';
import type { Viewer, ViewerPool } from './viewers';

/**
 * An open-loop viewer load: arrivals at `rate` per second with exponential inter-arrival times (a Poisson
 * process, so a slow platform cannot slow the offered load down), each arrival a viewer action drawn
 * from the mix. Every RPC's latency runs from when it was meant to start, so a generator that falls
 * behind (or a platform that stalls it) shows up as latency, not as fewer samples (no coordinated
 * omission). Actions beyond `maxInFlight` are counted as overflow, never queued.
 */

export interface TitleChoice {
  titleId: string;
  maturityLevel: number;
}

export interface EndedCall {
  method: string;
  outcome: CallOutcome;
  /** When the call was meant to start (its latency runs from here) and when its answer came. */
  intendedMs: number;
  endedMs: number;
}

export interface LoadDependencies {
  calls: PlatformCalls;
  viewers: ViewerPool;
  /** Titles plays pick from (available where the viewers are). */
  titles: readonly TitleChoice[];
  /** The bearer token of an account. */
  tokenOf: (accountId: string) => string;
  timers: Timers;
  /** Stops starting new actions at once (Ctrl-C); plays in progress stop, and the run ends. */
  signal?: AbortSignal;
  /** Called after each whole second of the run, for the progress line. */
  onSecond?: (t: number, recorder: LoadRecorder) => void;
  /** Extra metadata on every call of one action (e.g. a fault for an experiment's cohort). */
  metadataFor?: (action: ActionKind) => Record<string, string>;
  /** Sees every RPC's outcome once recorded, for a caller that measures more than the recorder does. */
  onCallEnded?: (ended: EndedCall) => void;
  country?: string;
}

/** Inter-arrival time of a Poisson process of `rate` per second: the inverse of the exponential CDF. */
export function nextArrivalGapMs(rate: number, uniform: number): number {
  return (-Math.log(1 - uniform) / rate) * 1000;
}

/** A play's heartbeats: every half of the session's remaining lifetime, at most every `capMs`. */
const HEARTBEAT_CAP_MS = 30_000;
/** How long the end of a run waits for actions still in flight before it reports. */
const DRAIN_MS = 10_000;
const BROWSE_PAGE = 20;

export async function runLoad(options: LoadOptions, deps: LoadDependencies): Promise<LoadRecorder> {
  const { timers, calls } = deps;
  const random = new SeededRandom(options.seed);
  const startedAt = timers.nowMs();
  const endsAt = startedAt + options.durationMs;
  const recorder = new LoadRecorder(startedAt);
  const country = deps.country ?? 'US';
  const inFlight = new Set<Promise<void>>();
  const stopping = new AbortController();
  // Every play in progress waits on it: as many listeners as plays, by design.
  setMaxListeners(Infinity, stopping.signal);
  const stopAll = () => stopping.abort();
  deps.signal?.addEventListener('abort', stopAll, { once: true });

  /** Sends one RPC meant to start at `intendedMs`, records its outcome, returns it. */
  const send = async (
    service: ServiceName,
    method: string,
    request: object,
    intendedMs: number,
    action: ActionKind,
    extra = {},
  ) => {
    recorder.requestSent();
    const outcome = await calls.call(service, method, request, { ...deps.metadataFor?.(action), ...extra });
    const endedMs = timers.nowMs();
    recorder.requestEnded(method, outcome.code, intendedMs, endedMs);
    deps.onCallEnded?.({ method, outcome, intendedMs, endedMs });
    return outcome;
  };

  const actions: Record<ActionKind, (intendedMs: number) => Promise<void>> = {
    home: async (intendedMs) => {
      const viewer = deps.viewers.any(() => random.float());
      if (!viewer) return;
      await send('recommendations', 'GetHomeRows', { profile_id: viewer.profileId, country }, intendedMs, 'home');
    },
    browse: async (intendedMs) => {
      const page = await send('catalog', 'ListTitles', { country, page_size: BROWSE_PAGE }, intendedMs, 'browse');
      const listed =
        (page.response as { titles?: Array<{ title_id: string; name: string }> } | undefined)?.titles ?? [];
      if (listed.length === 0) return;
      const title = random.pick(listed);
      const next = timers.nowMs();
      if (random.chance(0.5)) {
        await send('catalog', 'GetTitle', { title_id: title.title_id, country }, next, 'browse');
      } else {
        const word = title.name.split(' ').at(-1) ?? title.name;
        await send('catalog', 'SearchTitles', { query: word, country, page_size: 10 }, next, 'browse');
      }
    },
    play: async (intendedMs) => {
      const viewer = deps.viewers.lease(timers.nowMs());
      if (!viewer) return;
      let openUntilMs: number | undefined;
      try {
        openUntilMs = await play(viewer, intendedMs);
      } finally {
        deps.viewers.release(viewer, openUntilMs);
      }
    },
  };

  /** Plays as `viewer`; resolves with when its session expires if it was left open, else undefined. */
  const play = async (viewer: Viewer, intendedMs: number): Promise<number | undefined> => {
    const candidates = deps.titles.filter((title) => title.maturityLevel <= viewer.maturityLevel);
    if (candidates.length === 0) return;
    const title = random.pick(candidates);
    const auth = { authorization: `Bearer ${deps.tokenOf(viewer.accountId)}` };
    const grant = await send(
      'playback-authorization',
      'AuthorizePlayback',
      {
        profile_id: viewer.profileId,
        title_id: title.titleId,
        device: {
          device_id: `load-${random.int(1, 1_000_000)}`,
          max_height: 1080,
          supports_hdr: false,
          codecs: ['h264'],
        },
        client: { country, asn: 0 },
      },
      intendedMs,
      'play',
      auth,
    );
    if (grant.code !== 'OK') return;
    const answer = grant.response as { playback_session_id: string; expires_at?: { seconds: string | number } };
    const sessionId = answer.playback_session_id;
    const expiresAtMs = () => Number(answer.expires_at?.seconds ?? 0) * 1000;
    const playEndsAt = Math.min(timers.nowMs() + options.playMs, endsAt);
    // A session that is not stopped (a refused heartbeat or stop, or the run ending first) stays open on
    // the server until it expires, holding one of the account's streams: the pool keeps the viewer until
    // then, or the next play of that account would be refused for a limit this load itself used up.
    for (;;) {
      const gap = Math.max(1_000, Math.min(HEARTBEAT_CAP_MS, (expiresAtMs() - timers.nowMs()) / 2));
      const heartbeatAt = timers.nowMs() + gap;
      if (heartbeatAt >= playEndsAt) break;
      if (!(await sleepUntil(heartbeatAt))) break;
      const beat = await send(
        'playback-authorization',
        'Heartbeat',
        { playback_session_id: sessionId },
        heartbeatAt,
        'play',
        auth,
      );
      if (beat.code !== 'OK') return expiresAtMs();
      answer.expires_at = (beat.response as typeof answer).expires_at;
    }
    await sleepUntil(playEndsAt);
    const stop = await send(
      'playback-authorization',
      'StopPlayback',
      { playback_session_id: sessionId },
      timers.nowMs(),
      'play',
      auth,
    );
    return stop.code === 'OK' ? undefined : expiresAtMs();
  };

  /** Resolves true at `atMs`, or false as soon as the run is stopping. */
  const sleepUntil = (atMs: number) =>
    new Promise<boolean>((resolve) => {
      if (stopping.signal.aborted) return resolve(false);
      const onStop = () => {
        timers.clearTimeout(handle);
        resolve(false);
      };
      const handle = timers.setTimeout(
        () => {
          stopping.signal.removeEventListener('abort', onStop);
          resolve(true);
        },
        Math.max(0, atMs - timers.nowMs()),
      );
      stopping.signal.addEventListener('abort', onStop, { once: true });
    });

  const weights = options.mix.filter(([, weight]) => weight > 0);
  const start = (intendedMs: number) => {
    if (inFlight.size >= options.maxInFlight) {
      recorder.arrival(intendedMs, true);
      return;
    }
    recorder.arrival(intendedMs, false);
    const action = random.weighted(weights);
    const running = actions[action](intendedMs).finally(() => inFlight.delete(running));
    inFlight.add(running);
  };

  // Arrivals, one timer at a time; each fires at its intended time (or late, which its latency then shows).
  let nextArrival = startedAt + nextArrivalGapMs(options.rate, random.float());
  let nextSecond = 1;
  await new Promise<void>((resolve) => {
    let handle: unknown;
    const finish = () => {
      timers.clearTimeout(handle);
      resolve();
    };
    stopping.signal.addEventListener('abort', finish, { once: true });
    const tick = () => {
      const now = timers.nowMs();
      while (nextArrival <= now && nextArrival < endsAt) {
        start(nextArrival);
        nextArrival += nextArrivalGapMs(options.rate, random.float());
      }
      for (; startedAt + nextSecond * 1000 <= now; nextSecond++) deps.onSecond?.(nextSecond - 1, recorder);
      if (now >= endsAt || stopping.signal.aborted) {
        finish();
        return;
      }
      const wakeAt = Math.min(nextArrival, startedAt + nextSecond * 1000, endsAt);
      handle = timers.setTimeout(tick, Math.max(0, wakeAt - now));
    };
    tick();
  });
  // The run is over: plays in progress stop now (each sends its StopPlayback), and the report waits a
  // bounded time for what is still in flight.
  stopAll();
  let drainTimer: unknown;
  await Promise.race([
    Promise.allSettled([...inFlight]),
    new Promise((resolve) => (drainTimer = timers.setTimeout(() => resolve(undefined), DRAIN_MS))),
  ]);
  timers.clearTimeout(drainTimer);
  deps.signal?.removeEventListener('abort', stopAll);
  return recorder;
}
