import type { AbrContext, AbrRule } from './abr-rules';
import { summarizeQoe, type QoeSummary } from './qoe';
import { rateAt, transferSeconds, type BandwidthTrace } from './trace';

/**
 * A play in simulated time: segments downloaded one after another at the pace of a bandwidth trace, the
 * buffer filled by each segment that arrives and drained by playback, a stall whenever it runs dry.
 * Pure and synchronous: whoever fetches the bytes (a synthetic source in abr-eval, the edge in
 * `npm run play`) tells it how many arrived, and it says how long that took on the trace.
 *
 * The clock only moves in three ways — waiting for room under the rule's buffer target, downloading a
 * segment, and time lost to a failed request — and every second of it is start-up, playing or rebuffering, so
 * startupDelayS + playedS + rebufferS is the simulated wall time exactly.
 */

export interface PlaybackSettings {
  segmentDurationS: number;
  /** Segments of the title to play (the title's length, or the cap asked for). */
  segmentCount: number;
  /** Playback starts once this many segments are buffered. */
  startupSegments: number;
  /**
   * The player's buffer, seconds: each rule keeps its own target (AbrRule.bufferTargetS), never above this,
   * and no download starts while a segment would not fit under that target.
   */
  maxBufferS: number;
  /** The title's whole length, seconds, when more than the segments played (dash.js's long-form test). */
  contentDurationS?: number;
  /** One request's round trip before its bytes flow, seconds (Pensieve's simulator uses 80 ms). */
  requestLatencyS: number;
}

export const DEFAULT_PLAYBACK: Omit<PlaybackSettings, 'segmentCount'> = {
  segmentDurationS: 4,
  startupSegments: 2,
  maxBufferS: 30,
  requestLatencyS: 0.08,
};

export interface SegmentChoice {
  /** Segment number, from 1 as in the edge's paths. */
  number: number;
  renditionIndex: number;
  bitrateKbps: number;
  /** Simulated seconds waited for room in the buffer before this request. */
  waitedS: number;
}

export interface SegmentDownload {
  downloadS: number;
  throughputKbps: number;
}

/** The state after an event: what the report's chart draws. */
export interface TimelinePoint {
  tS: number;
  bufferS: number;
  /** Bitrate of the segment being downloaded or last downloaded, kbps. */
  bitrateKbps: number;
  /** The trace's rate at tS, kbps. */
  traceKbps: number;
}

export interface PlaybackOutcome extends QoeSummary {
  wallS: number;
  timeline: TimelinePoint[];
}

export class PlaybackSimulation {
  clockS = 0;
  bufferS = 0;
  private started = false;
  private stalled = false;
  private startupDelayS = 0;
  private playedS = 0;
  private rebufferS = 0;
  private rebufferCount = 0;
  private readonly segmentKbps: number[] = [];
  private readonly throughputKbps: number[] = [];
  private pending: SegmentChoice | undefined;
  private lastIndex = 0;
  private rebufferAtLastArrivalS = 0;
  readonly timeline: TimelinePoint[] = [];

  constructor(
    private readonly ladderKbps: readonly number[],
    private readonly trace: BandwidthTrace,
    private readonly rule: AbrRule,
    readonly settings: PlaybackSettings,
  ) {
    if (ladderKbps.length === 0) throw new Error('a ladder needs at least one rendition');
    if (settings.startupSegments * settings.segmentDurationS > settings.maxBufferS) {
      throw new Error('the start-up segments must fit under the maximum buffer');
    }
    this.record();
  }

  get done(): boolean {
    return this.segmentKbps.length >= this.settings.segmentCount;
  }

  /** True between nextSegment and segmentArrived. */
  get fetching(): boolean {
    return this.pending !== undefined;
  }

  /**
   * The next segment to fetch: waits for room under the rule's buffer target, asks the rule, then waits as
   * long as the rule holds the request back. Before playback starts nothing drains, so nothing is waited for.
   */
  nextSegment(): SegmentChoice {
    if (this.pending) throw new Error(`segment ${this.pending.number} is still being fetched`);
    if (this.done) throw new Error('every segment has been fetched');
    const { segmentDurationS } = this.settings;
    const targetS = this.bufferTargetS();
    // dash.js ignores the segment's own length when the target is no longer than it (ScheduleController._shouldBuffer).
    const roomS = targetS <= segmentDurationS ? targetS : targetS - segmentDurationS;
    let waitedS = this.started ? Math.max(0, this.bufferS - roomS) : 0;
    this.elapse(waitedS);
    const renditionIndex = this.rule.choose(this.context());
    const heldS = this.started ? Math.max(0, this.rule.requestDelayS?.() ?? 0) : 0;
    this.elapse(heldS);
    waitedS += heldS;
    this.lastIndex = renditionIndex;
    const bitrateKbps = this.ladderKbps[renditionIndex]!;
    this.pending = { number: this.segmentKbps.length + 1, renditionIndex, bitrateKbps, waitedS };
    return this.pending;
  }

  /** The rule's buffer target now, capped at the player's buffer. */
  bufferTargetS(): number {
    return Math.min(this.settings.maxBufferS, this.rule.bufferTargetS(this.context()));
  }

  private context(): AbrContext {
    const { segmentDurationS, maxBufferS, segmentCount, contentDurationS } = this.settings;
    return {
      bufferS: this.bufferS,
      throughputKbps: this.throughputKbps,
      ladderKbps: this.ladderKbps,
      lastIndex: this.segmentKbps.length > 0 ? this.lastIndex : undefined,
      segmentDurationS,
      maxBufferS,
      contentDurationS: contentDurationS ?? segmentCount * segmentDurationS,
      nowS: this.clockS,
    };
  }

  /** Bytes of a segment's size at its bitrate: what the edge serves, bitrate × duration. */
  segmentBytes(choice: SegmentChoice): number {
    return Math.round((choice.bitrateKbps * 1000 * this.settings.segmentDurationS) / 8);
  }

  /** `bytes` of the pending segment arrived: they took a round trip plus their time on the trace. */
  segmentArrived(bytes: number): SegmentDownload {
    const choice = this.pending;
    if (!choice) throw new Error('no segment is being fetched');
    const bits = bytes * 8;
    const downloadS =
      this.settings.requestLatencyS + transferSeconds(this.trace, this.clockS + this.settings.requestLatencyS, bits);
    this.elapse(downloadS);
    this.pending = undefined;
    const throughputKbps = bits / 1000 / downloadS;
    this.throughputKbps.push(throughputKbps);
    this.segmentKbps.push(choice.bitrateKbps);
    this.bufferS += this.settings.segmentDurationS;
    this.stalled = false;
    if (!this.started && this.segmentKbps.length >= this.settings.startupSegments) this.started = true;
    this.record();
    this.rule.segmentArrived?.({
      nowS: this.clockS,
      bufferS: this.bufferS,
      downloadS,
      renditionIndex: choice.renditionIndex,
      stalled: this.rebufferS > this.rebufferAtLastArrivalS,
    });
    this.rebufferAtLastArrivalS = this.rebufferS;
    return { downloadS, throughputKbps };
  }

  /** A request that failed after `elapsedS` simulated seconds: the time is lost, the segment is still pending. */
  requestFailed(elapsedS: number): void {
    if (!this.pending) throw new Error('no segment is being fetched');
    this.elapse(elapsedS);
  }

  /** The play ends: what is buffered plays out (a title shorter than start-up starts now). */
  finish(): PlaybackOutcome {
    this.started = true;
    this.elapse(this.bufferS);
    const summary = summarizeQoe({
      segmentKbps: this.segmentKbps,
      startupDelayS: this.startupDelayS,
      rebufferCount: this.rebufferCount,
      rebufferS: this.rebufferS,
      playedS: this.playedS,
    });
    return { ...summary, wallS: this.clockS, timeline: this.timeline };
  }

  /** Unrounded totals, for the invariant startup + played + rebuffered = wall. */
  get totals(): { startupDelayS: number; playedS: number; rebufferS: number; wallS: number } {
    return { startupDelayS: this.startupDelayS, playedS: this.playedS, rebufferS: this.rebufferS, wallS: this.clockS };
  }

  private elapse(seconds: number): void {
    if (seconds <= 0) return;
    if (!this.started) {
      this.startupDelayS += seconds;
    } else {
      const played = Math.min(this.bufferS, seconds);
      this.playedS += played;
      this.bufferS -= played;
      const stall = seconds - played;
      if (stall > 0) {
        // The chart shows the buffer reaching 0 where it ran dry, then staying there.
        if (played > 0) this.record(this.clockS + played);
        if (!this.stalled) this.rebufferCount++;
        this.stalled = true;
        this.rebufferS += stall;
      }
    }
    this.clockS += seconds;
    this.record();
  }

  private record(atS = this.clockS): void {
    this.timeline.push({
      tS: atS,
      bufferS: this.bufferS,
      bitrateKbps: this.pending?.bitrateKbps ?? this.segmentKbps.at(-1) ?? 0,
      traceKbps: rateAt(this.trace, atS) * 1000,
    });
  }
}

/** One whole play, synchronous: every segment of `settings.segmentCount` sized at its bitrate. */
export function simulatePlayback(
  ladderKbps: readonly number[],
  trace: BandwidthTrace,
  rule: AbrRule,
  settings: PlaybackSettings,
): PlaybackOutcome {
  const simulation = new PlaybackSimulation(ladderKbps, trace, rule, settings);
  while (!simulation.done) simulation.segmentArrived(simulation.segmentBytes(simulation.nextSegment()));
  return simulation.finish();
}
