import { LOCAL_DEVELOPMENT_SECRET, ORIGIN_APPLIANCE_ID, signAccountToken } from '@streamplane/streaming';
import type { PlatformCalls } from '../load/platform-calls';
import type { Timers } from '../timers';
import { createAbrRule, type AbrRuleName } from './abr-rules';
import { CdnFailover, type RankedCdnUrl } from './cdn-failover';
import type { EdgeFetch } from './edge-http';
import { parseMpd, segmentUrl, type Manifest, type MpdRendition } from './mpd';
import { DEFAULT_PLAYBACK, PlaybackSimulation, type PlaybackOutcome } from './playback-simulation';
import type { QoeSummary } from './qoe';
import type { BandwidthTrace } from './trace';

/**
 * `npm run play`'s session: a token, AuthorizePlayback, the manifest from the best CDN URL, and the title
 * played in simulated time against a bandwidth trace (PlaybackSimulation). The segments' real bytes come
 * from the edge; each download then lasts, in real time, its time on the trace divided by `speed`, and so
 * does every wait for room in the buffer, so the edge sees the request pattern of a real player, faster.
 *
 * Heartbeats are on the grant's schedule in real time (half the session's remaining lifetime, at most
 * every 30 s, as the load generator does): the session expires on the platform's clock, not the trace's.
 * An HTTP error or an unreachable appliance moves the play to the next ranked URL with its buffer intact;
 * the failed attempt costs the viewer its real duration × speed of simulated time.
 */

export interface PlayOptions {
  accountId: string;
  profileId: string;
  titleId: string;
  country: string;
  abr: AbrRuleName;
  /** Real time is simulated time divided by this. */
  speed: number;
  /** Content played at most, seconds (the title's own length when shorter). */
  maxDurationS: number;
}

export interface PlayReport extends QoeSummary {
  titleId: string;
  abr: AbrRuleName;
  trace: string;
  failovers: number;
  applianceIds: string[];
}

export interface PlayerDependencies {
  calls: PlatformCalls;
  fetch: EdgeFetch;
  timers: Timers;
  trace: BandwidthTrace;
  secret?: string;
  /** Ends the play early (Ctrl-C): the report covers what was played, and the session is stopped. */
  signal?: AbortSignal;
  /**
   * Awaited after each segment arrives, before the next request: where a test makes something happen at a
   * known point of the play (an appliance killed with so much buffered), in simulated terms, not wall-clock.
   */
  onSegment?: (progress: SegmentProgress) => void | Promise<void>;
  log?: (line: string) => void;
}

export interface SegmentProgress {
  /** Segments arrived so far. */
  segments: number;
  /** Seconds buffered after this segment. */
  bufferS: number;
  /** Simulated seconds since the play began. */
  nowS: number;
  /** The appliance that served it. */
  applianceId: string;
}

export interface PlayResult {
  report: PlayReport;
  outcome: PlaybackOutcome;
  heartbeats: number;
}

export class PlayError extends Error {}

const HEARTBEAT_CAP_MS = 30_000;
const HEARTBEAT_FLOOR_MS = 1_000;

interface Grant {
  playback_session_id: string;
  expires_at?: { seconds: string | number };
  renditions: Array<{ codec: string; height: number; bitrate_kbps: number; hdr: boolean }>;
  cdn_urls: Array<{ url: string; appliance_id: string; rank: number }>;
}

export async function playTitle(options: PlayOptions, deps: PlayerDependencies): Promise<PlayResult> {
  const log = deps.log ?? (() => undefined);
  const auth = {
    authorization: `Bearer ${signAccountToken(options.accountId, deps.secret ?? LOCAL_DEVELOPMENT_SECRET)}`,
  };
  const answer = await deps.calls.call(
    'playback-authorization',
    'AuthorizePlayback',
    {
      profile_id: options.profileId,
      title_id: options.titleId,
      device: { device_id: `player-${options.titleId}`, max_height: 1080, supports_hdr: false, codecs: ['h264'] },
      client: { country: options.country, asn: 0 },
    },
    auth,
  );
  if (answer.code !== 'OK')
    throw new PlayError(`AuthorizePlayback answered ${answer.code}${answer.details ? `: ${answer.details}` : ''}`);
  const grant = answer.response as Grant;
  const sessionId = grant.playback_session_id;
  log(`session ${sessionId}: ${grant.cdn_urls.length} CDN URL(s), ${grant.renditions.length} rendition(s) granted`);
  const heartbeats = new Heartbeats(deps, sessionId, auth, grant.expires_at, log);
  try {
    const failover = new CdnFailover(
      grant.cdn_urls.map((url): RankedCdnUrl => ({ url: url.url, applianceId: url.appliance_id, rank: url.rank })),
      ORIGIN_APPLIANCE_ID,
    );
    const streaming = new Streaming(deps, failover, options.speed, log);
    const manifestText = await streaming.fetchText((cdnUrl) => cdnUrl);
    const manifest = parseMpd(manifestText);
    const renditions = grantedRenditions(manifest, grant.renditions);
    const segmentCount = Math.min(
      manifest.segmentCount,
      Math.max(1, Math.floor(options.maxDurationS / manifest.segmentDurationS)),
    );
    log(
      `manifest: ${manifest.renditions.length} renditions, ${manifest.segmentCount} segments of ${manifest.segmentDurationS} s; playing ${segmentCount}`,
    );
    const simulation = new PlaybackSimulation(
      renditions.map((rendition) => rendition.bitrateKbps),
      deps.trace,
      createAbrRule(options.abr),
      {
        ...DEFAULT_PLAYBACK,
        segmentDurationS: manifest.segmentDurationS,
        segmentCount,
        contentDurationS: manifest.segmentCount * manifest.segmentDurationS,
      },
    );
    streaming.simulation = simulation;
    await streaming.playSegments(manifest, renditions);
    const outcome = simulation.finish();
    const report: PlayReport = {
      titleId: options.titleId,
      abr: options.abr,
      trace: deps.trace.name,
      ...withoutTimeline(outcome),
      failovers: failover.failovers,
      applianceIds: failover.applianceIds,
    };
    return { report, outcome, heartbeats: heartbeats.sent };
  } finally {
    await heartbeats.stop();
    const stop = await deps.calls.call(
      'playback-authorization',
      'StopPlayback',
      { playback_session_id: sessionId },
      auth,
    );
    log(`StopPlayback: ${stop.code}`);
  }
}

function withoutTimeline(outcome: PlaybackOutcome): QoeSummary {
  const { startupDelayS, rebufferCount, rebufferS, rebufferRatio, avgBitrateKbps, switches, qoe, playedS, segments } =
    outcome;
  return { startupDelayS, rebufferCount, rebufferS, rebufferRatio, avgBitrateKbps, switches, qoe, playedS, segments };
}

/**
 * The manifest's renditions that the grant allows (the grant's ladder is filtered by plan and device; the
 * manifest has every rung), matched on bitrate and height.
 */
export function grantedRenditions(manifest: Manifest, granted: Grant['renditions']): MpdRendition[] {
  const allowed = manifest.renditions.filter((rendition) =>
    granted.some((grant) => grant.bitrate_kbps === rendition.bitrateKbps && grant.height === rendition.height),
  );
  if (allowed.length === 0) throw new PlayError('no Representation of the manifest is among the granted renditions');
  return allowed;
}

/** Downloads over the ranked URLs, paced to the simulation and `speed`. */
class Streaming {
  simulation: PlaybackSimulation | undefined;
  private readonly initialized = new Set<string>();

  constructor(
    private readonly deps: PlayerDependencies,
    private readonly failover: CdnFailover,
    private readonly speed: number,
    private readonly log: (line: string) => void,
  ) {}

  async fetchText(urlOn: (cdnUrl: string) => string): Promise<string> {
    return (await this.fetchWithFailover(urlOn, true)).text ?? '';
  }

  async playSegments(manifest: Manifest, renditions: readonly MpdRendition[]): Promise<void> {
    const simulation = this.simulation!;
    while (!simulation.done && !this.deps.signal?.aborted) {
      const choice = simulation.nextSegment();
      await this.sleepSimulated(choice.waitedS);
      const rendition = renditions[choice.renditionIndex]!;
      const startedMs = this.deps.timers.nowMs();
      let bytes = 0;
      if (!this.initialized.has(rendition.id)) {
        bytes += (await this.fetchWithFailover((cdnUrl) => segmentUrl(manifest, rendition, 'init', cdnUrl))).bytes;
        this.initialized.add(rendition.id);
      }
      const number = manifest.startNumber + choice.number - 1;
      bytes += (await this.fetchWithFailover((cdnUrl) => segmentUrl(manifest, rendition, number, cdnUrl))).bytes;
      const download = simulation.segmentArrived(bytes);
      await this.deps.onSegment?.({
        segments: choice.number,
        bufferS: simulation.bufferS,
        nowS: simulation.clockS,
        applianceId: this.failover.current!.applianceId,
      });
      // The download lasts its time on the trace, compressed: the rest of it is waited for in real time.
      const spentMs = this.deps.timers.nowMs() - startedMs;
      await this.sleepMs((download.downloadS * 1000) / this.speed - spentMs);
    }
    // What is buffered plays out before the session stops.
    if (!this.deps.signal?.aborted) await this.sleepSimulated(simulation.bufferS);
  }

  private async fetchWithFailover(urlOn: (cdnUrl: string) => string, keepBody = false) {
    for (let current = this.failover.current; current; current = this.failover.failed()) {
      const startedMs = this.deps.timers.nowMs();
      const reason = await this.deps.fetch(urlOn(current.url), { keepBody }).then(
        (answer) => (answer.status === 200 || answer.status === 206 ? answer : `HTTP ${answer.status}`),
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      if (typeof reason !== 'string') {
        this.failover.served();
        return reason;
      }
      const next = this.failover.next;
      this.log(
        `${current.applianceId}: ${reason}; ${next ? `failing over to ${next.applianceId}` : 'no CDN URL left'}`,
      );
      if (this.simulation?.fetching)
        this.simulation.requestFailed(((this.deps.timers.nowMs() - startedMs) * this.speed) / 1000);
    }
    throw new PlayError('every CDN URL of the grant failed');
  }

  private sleepSimulated(seconds: number): Promise<void> {
    return this.sleepMs((seconds * 1000) / this.speed);
  }

  private sleepMs(ms: number): Promise<void> {
    return sleep(this.deps.timers, ms, this.deps.signal);
  }
}

/** Resolves after `ms` on `timers`, or at once when `signal` aborts. */
function sleep(timers: Timers, ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = () => {
      timers.clearTimeout(handle);
      resolve();
    };
    const handle = timers.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The session's heartbeats, in real time, until stopped or refused. */
class Heartbeats {
  sent = 0;
  private readonly stopping = new AbortController();
  private readonly running: Promise<void>;

  constructor(
    private readonly deps: PlayerDependencies,
    private readonly sessionId: string,
    private readonly auth: Record<string, string>,
    private expiresAt: Grant['expires_at'],
    private readonly log: (line: string) => void,
  ) {
    this.running = this.run();
  }

  stop(): Promise<void> {
    this.stopping.abort();
    return this.running;
  }

  private async run(): Promise<void> {
    const { timers, calls } = this.deps;
    while (!this.stopping.signal.aborted) {
      const remainingMs = Number(this.expiresAt?.seconds ?? 0) * 1000 - timers.nowMs();
      await sleep(
        timers,
        Math.max(HEARTBEAT_FLOOR_MS, Math.min(HEARTBEAT_CAP_MS, remainingMs / 2)),
        this.stopping.signal,
      );
      if (this.stopping.signal.aborted) return;
      const beat = await calls.call(
        'playback-authorization',
        'Heartbeat',
        { playback_session_id: this.sessionId },
        this.auth,
      );
      if (beat.code !== 'OK') {
        this.log(`Heartbeat answered ${beat.code}: the session may end before the play does`);
        return;
      }
      this.sent++;
      this.expiresAt = (beat.response as Pick<Grant, 'expires_at'>).expires_at;
    }
  }
}
