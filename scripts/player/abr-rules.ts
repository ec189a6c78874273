/**
 * Adaptive-bitrate rules: before each segment, which rendition of the ladder to fetch, from the buffer
 * level, the throughput of the segments fetched so far and the last choice. Plain functions of what they
 * are told (no clock, no I/O); a rule may keep state across one play, so each play gets a new instance.
 */

export const ABR_RULE_NAMES = ['bba', 'bola', 'throughput', 'fixed'] as const;
export type AbrRuleName = (typeof ABR_RULE_NAMES)[number];

export interface AbrContext {
  /** Seconds of video buffered ahead of the play head, now. */
  bufferS: number;
  /** Measured throughput of each segment fetched so far, kbps, oldest first. */
  throughputKbps: readonly number[];
  /** The ladder's bitrates, kbps, ascending. */
  ladderKbps: readonly number[];
  /** Index in the ladder of the previous segment's rendition (the one playing); undefined before the first. */
  lastIndex: number | undefined;
  segmentDurationS: number;
  /** The player's buffer, seconds: no target goes above it (a device holds only so much). */
  maxBufferS: number;
  /** The title's length, seconds (dash.js keeps more buffer at the top quality for long-form content). */
  contentDurationS: number;
  /** Simulated seconds since the play began (BOLA's placeholder buffer counts the time between requests). */
  nowS: number;
}

/** A segment that arrived, as the player tells the rule that chose it. */
export interface SegmentArrival {
  nowS: number;
  /** The buffer after the segment was appended, seconds. */
  bufferS: number;
  downloadS: number;
  renditionIndex: number;
  /** Whether the buffer ran dry since the previous segment arrived. */
  stalled: boolean;
}

/**
 * A rule decides two things, as in dash.js, where the ScheduleController asks for the buffer target before
 * each request and the ABR rules then pick the rendition: how full the buffer is kept, and what to fetch.
 */
export interface AbrRule {
  readonly name: AbrRuleName;
  /**
   * The buffer level this rule keeps, seconds: no request starts while the buffer plus one segment would be
   * above it (dash.js's ScheduleController: bufferLevel + segment duration < target). Asked before each
   * request, with lastIndex the rendition playing; the player caps it at its maxBufferS.
   */
  bufferTargetS(context: AbrContext): number;
  /** The ladder index of the next segment's rendition. */
  choose(context: AbrContext): number;
  /**
   * Seconds to hold back the request just chosen (dash.js's ScheduleController.setTimeToLoadDelay, which
   * only BOLA sets, so as not to fill the buffer with low-quality segments); 0 when absent.
   */
  requestDelayS?(): number;
  /** Told after each segment arrives (BOLA trims and clears its placeholder buffer on these, as dash.js's does). */
  segmentArrived?(arrival: SegmentArrival): void;
}

/**
 * dash.js's buffer settings (Settings.js, streaming.buffer, v5): the ScheduleController keeps
 * `bufferTimeDefault` (18 s; called `stableBufferTime`, 12 s, until v4) below the top quality, and
 * `bufferTimeAtTopQuality` (30 s) at it, or `bufferTimeAtTopQualityLongForm` (60 s) when the content lasts
 * `longFormContentDurationThreshold` (600 s) or more (ScheduleController._getGenericBufferTarget). v5's
 * value goes with the DYNAMIC thresholds below, which v5 derives from the same setting.
 */
export const DASHJS_BUFFER_TIME_DEFAULT_S = 18;
export const DASHJS_BUFFER_TIME_AT_TOP_QUALITY_S = 30;
export const DASHJS_BUFFER_TIME_AT_TOP_QUALITY_LONG_FORM_S = 60;
export const DASHJS_LONG_FORM_CONTENT_DURATION_THRESHOLD_S = 600;

/** dash.js's ScheduleController buffer target for a video track (ScheduleController._getGenericBufferTarget). */
export function dashJsBufferTargetS({ lastIndex, ladderKbps, contentDurationS }: AbrContext): number {
  const atTopQuality = lastIndex === ladderKbps.length - 1;
  if (!atTopQuality) return DASHJS_BUFFER_TIME_DEFAULT_S;
  return contentDurationS >= DASHJS_LONG_FORM_CONTENT_DURATION_THRESHOLD_S
    ? DASHJS_BUFFER_TIME_AT_TOP_QUALITY_LONG_FORM_S
    : DASHJS_BUFFER_TIME_AT_TOP_QUALITY_S;
}

/** dash.js's bandwidth safety factor: only 90 % of the measured throughput is spent on video. */
export const BANDWIDTH_SAFETY_FACTOR = 0.9;
/** Samples averaged by dash.js's throughput history for on-demand content (ThroughputHistory, VOD). */
export const THROUGHPUT_SAMPLES = 4;

/** The highest rung at or below `kbps`; the lowest when none is. */
export function highestRungAtMost(ladderKbps: readonly number[], kbps: number): number {
  let index = 0;
  for (let i = 0; i < ladderKbps.length; i++) if (ladderKbps[i]! <= kbps) index = i;
  return index;
}

/** The harmonic mean of the last `samples` throughputs (a slow segment weighs as it should); 0 with none. */
export function harmonicMeanKbps(throughputKbps: readonly number[], samples = THROUGHPUT_SAMPLES): number {
  const recent = throughputKbps.slice(-samples).filter((kbps) => kbps > 0);
  if (recent.length === 0) return 0;
  return recent.length / recent.reduce((sum, kbps) => sum + 1 / kbps, 0);
}

/**
 * dash.js's ThroughputRule: the highest rendition within the safety factor of the harmonic mean of recent
 * throughput. Before anything is measured it starts at the lowest rung, as a cautious player does. Its
 * buffer is dash.js's, the ScheduleController's target, since that is the player the rule runs in.
 */
export class ThroughputRule implements AbrRule {
  readonly name = 'throughput' as const;

  bufferTargetS(context: AbrContext): number {
    return dashJsBufferTargetS(context);
  }

  choose({ throughputKbps, ladderKbps }: AbrContext): number {
    return highestRungAtMost(ladderKbps, harmonicMeanKbps(throughputKbps) * BANDWIDTH_SAFETY_FACTOR);
  }
}

/**
 * One rendition throughout: by default the middle of the ladder, the yardstick the adaptive rules beat.
 * With nothing to adapt, buffering all it may is its only defence, so it keeps the whole buffer.
 */
export class FixedRule implements AbrRule {
  readonly name = 'fixed' as const;

  constructor(private readonly index?: number) {}

  bufferTargetS({ maxBufferS }: AbrContext): number {
    return maxBufferS;
  }

  choose({ ladderKbps }: AbrContext): number {
    return Math.min(ladderKbps.length - 1, this.index ?? Math.floor(ladderKbps.length / 2));
  }
}

export interface BbaParameters {
  /** Buffer below which the lowest rate is always chosen, seconds. */
  reservoirS: number;
  /** Buffer over which the rate map climbs linearly from the lowest to the highest rate, seconds. */
  cushionS: number;
}

/**
 * BBA-0's rate map in Huang et al. (SIGCOMM 2014, §4) is laid over a 240 s buffer: a 90 s reservoir, a
 * 126 s cushion, and the top 24 s (10 %) as an upper reservoir at the highest rate. The shares are kept
 * for the buffer the rule fills (90/240 = 0.375 reservoir, 126/240 = 0.525 cushion), except that the upper
 * reservoir is at least one segment: a request only starts with room for a whole segment, so the rule never
 * sees the last segment's worth of the buffer, and a map that peaked there would never reach the top rate.
 */
export const BBA_PAPER_BUFFER_S = 240;
export const BBA_PAPER_RESERVOIR_S = 90;
export const BBA_PAPER_CUSHION_S = 126;

export function bbaParametersFor(bufferS: number, segmentDurationS: number): BbaParameters {
  const reservoirS = (BBA_PAPER_RESERVOIR_S / BBA_PAPER_BUFFER_S) * bufferS;
  const upperReservoirS = Math.max(
    ((BBA_PAPER_BUFFER_S - BBA_PAPER_RESERVOIR_S - BBA_PAPER_CUSHION_S) / BBA_PAPER_BUFFER_S) * bufferS,
    segmentDurationS,
  );
  return { reservoirS, cushionS: Math.max(0, bufferS - upperReservoirS - reservoirS) };
}

/**
 * BBA, after Huang et al., "A Buffer-Based Approach to Rate Adaptation", SIGCOMM 2014. The rate is a
 * function of the buffer, and the buffer is the whole of the player's: BBA requests whenever a segment
 * fits, so its rate map spans all of it (bbaParametersFor, unless parameters are given). In steady state
 * (BBA-0, the paper's Algorithm 1): the lowest rate in the reservoir, the highest above reservoir + cushion,
 * and in between a linear rate map f(B) with hysteresis: the rate only moves when f(B) crosses the next
 * rung up or down. Capacity is estimated only at start-up (BBA-2): while the buffer grows from empty, a
 * segment that downloaded much faster than it plays steps the rate up one rung, the bar falling linearly
 * from 8× faster (ΔB > 0.875 V) at an empty buffer to 2× (0.5 V) at the cushion's top; start-up ends when
 * the buffer shrinks or the map asks for more.
 */
export class BbaRule implements AbrRule {
  readonly name = 'bba' as const;
  private startingUp = true;
  private startupIndex = 0;
  private previousBufferS: number | undefined;

  constructor(private readonly fixedParameters?: BbaParameters) {}

  bufferTargetS({ maxBufferS }: AbrContext): number {
    return maxBufferS;
  }

  /** The reservoir and cushion for the buffer of `context`. */
  parameters({ maxBufferS, segmentDurationS }: Pick<AbrContext, 'maxBufferS' | 'segmentDurationS'>): BbaParameters {
    return this.fixedParameters ?? bbaParametersFor(maxBufferS, segmentDurationS);
  }

  choose(context: AbrContext): number {
    const parameters = this.parameters(context);
    const mapped = this.fromRateMap(context, parameters);
    if (this.startingUp) this.startUp(context, parameters, mapped);
    this.previousBufferS = context.bufferS;
    return this.startingUp ? Math.max(mapped, this.startupIndex) : mapped;
  }

  /** The rate map f(B), kbps. */
  static rateMapKbps(bufferS: number, ladderKbps: readonly number[], { reservoirS, cushionS }: BbaParameters): number {
    const lowest = ladderKbps[0]!;
    const highest = ladderKbps.at(-1)!;
    const share = Math.min(1, Math.max(0, (bufferS - reservoirS) / cushionS));
    return lowest + share * (highest - lowest);
  }

  private fromRateMap({ bufferS, ladderKbps, lastIndex }: AbrContext, parameters: BbaParameters): number {
    const top = ladderKbps.length - 1;
    const { reservoirS, cushionS } = parameters;
    if (bufferS <= reservoirS) return 0;
    if (bufferS >= reservoirS + cushionS) return top;
    const previous = lastIndex ?? 0;
    const map = BbaRule.rateMapKbps(bufferS, ladderKbps, parameters);
    const ratePlus = ladderKbps[Math.min(top, previous + 1)]!;
    const rateMinus = ladderKbps[Math.max(0, previous - 1)]!;
    if (previous < top && map >= ratePlus) {
      // The highest rung below f(B).
      return Math.max(
        0,
        ladderKbps.findLastIndex((kbps) => kbps < map),
      );
    }
    if (previous > 0 && map <= rateMinus) {
      // The lowest rung above f(B).
      return ladderKbps.findIndex((kbps) => kbps > map);
    }
    return previous;
  }

  private startUp(
    { bufferS, throughputKbps, ladderKbps, lastIndex }: AbrContext,
    { reservoirS, cushionS }: BbaParameters,
    mapped: number,
  ): void {
    const shrank = this.previousBufferS !== undefined && bufferS < this.previousBufferS;
    if (shrank || mapped > this.startupIndex) {
      this.startingUp = false;
      return;
    }
    const lastThroughput = throughputKbps.at(-1);
    if (lastThroughput === undefined || lastIndex === undefined) return;
    const bar = 0.875 - 0.375 * Math.min(1, bufferS / (reservoirS + cushionS));
    // ΔB / V = 1 − download time / V = 1 − bitrate / throughput for the last segment.
    const bufferGainShare = 1 - ladderKbps[lastIndex]! / lastThroughput;
    if (bufferGainShare > bar) this.startupIndex = Math.min(ladderKbps.length - 1, this.startupIndex + 1);
  }
}

/**
 * dash.js DYNAMIC strategy thresholds (AbrController._updateDynamicAbrStrategy, v5): BOLA from
 * bufferTimeDefault (18 s) of buffer, the throughput rule again below half of it (9 s).
 */
export const BOLA_SWITCH_ON_S = DASHJS_BUFFER_TIME_DEFAULT_S;
export const BOLA_SWITCH_OFF_S = 0.5 * DASHJS_BUFFER_TIME_DEFAULT_S;
/** dash.js BolaRule: BOLA never delays below this buffer, and picks the lowest rung at it, seconds. */
export const BOLA_MINIMUM_BUFFER_S = 10;
/** dash.js BolaRule: seconds of buffer target per rung, so that the top rung is reached at 10 + 2 × rungs. */
export const BOLA_MINIMUM_BUFFER_PER_BITRATE_LEVEL_S = 2;
/** dash.js BolaRule: the placeholder buffer shrinks by 1 % a segment so that it does not linger. */
export const BOLA_PLACEHOLDER_BUFFER_DECAY = 0.99;
/** dash.js BolaRule averages 3 recent segments for on-demand content. */
const BOLA_THROUGHPUT_SAMPLES = 3;

/**
 * BOLA's own buffer target (dash.js BolaRule.calculateBolaParameters): the buffer at which it picks the top
 * rung, max(bufferTimeDefault, 10 s + 2 s per rung): 30 s for a ten-rung ladder.
 */
export function bolaBufferTimeS(ladderKbps: readonly number[]): number {
  return Math.max(
    DASHJS_BUFFER_TIME_DEFAULT_S,
    BOLA_MINIMUM_BUFFER_S + BOLA_MINIMUM_BUFFER_PER_BITRATE_LEVEL_S * ladderKbps.length,
  );
}

/**
 * BOLA's control parameters as dash.js sets them: utilities ln(bitrate) shifted so the lowest is 1, and
 * V and γp from V·(u_0 + γp − 1) = 10 s and V·(u_max + γp − 1) = the buffer target, so the lowest rung wins
 * at 10 s of buffer and the highest at the target.
 */
export class BolaParameters {
  readonly utilities: number[];
  readonly gp: number;
  readonly vp: number;

  constructor(
    readonly ladderKbps: readonly number[],
    readonly bufferTimeS = bolaBufferTimeS(ladderKbps),
  ) {
    const lowest = Math.log(ladderKbps[0]!);
    this.utilities = ladderKbps.map((kbps) => Math.log(kbps) - lowest + 1);
    this.gp = (this.utilities.at(-1)! - 1) / (bufferTimeS / BOLA_MINIMUM_BUFFER_S - 1);
    this.vp = BOLA_MINIMUM_BUFFER_S / this.gp;
  }

  /** argmax over m of (V·(u_m + γp) − Q) / S_m. */
  quality(bufferS: number): number {
    let best = 0;
    let bestScore = -Infinity;
    this.utilities.forEach((utility, m) => {
      const score = (this.vp * (utility + this.gp) - bufferS) / this.ladderKbps[m]!;
      if (score >= bestScore) {
        bestScore = score;
        best = m;
      }
    });
    return best;
  }

  /** The highest buffer at which BOLA would rather fetch rung `m` than wait: V·(u_m + γp). */
  maxBufferFor(m: number): number {
    return this.vp * (this.utilities[m]! + this.gp);
  }

  /** The lowest buffer at which BOLA prefers rung `m` to every lower one. */
  minBufferFor(m: number): number {
    let min = 0;
    for (let i = m - 1; i >= 0; i--) {
      const [qKbps, qUtility, iKbps, iUtility] = [
        this.ladderKbps[m]!,
        this.utilities[m]!,
        this.ladderKbps[i]!,
        this.utilities[i]!,
      ];
      if (iUtility < qUtility) {
        min = Math.max(min, this.vp * (this.gp + (qKbps * iUtility - iKbps * qUtility) / (qKbps - iKbps)));
      }
    }
    return min;
  }
}

/** BOLA's choice for a buffer level, with dash.js's parameters for the ladder (or the target given). */
export function bolaQuality(ladderKbps: readonly number[], bufferS: number, bufferTimeS?: number): number {
  if (ladderKbps.length < 2) return 0;
  return new BolaParameters(ladderKbps, bufferTimeS).quality(bufferS);
}

/**
 * BOLA, after Spiteri, Urgaonkar and Sitaraman, "BOLA: Near-Optimal Bitrate Adaptation for Online
 * Videos", INFOCOM 2016, as dash.js's BolaRule runs it in its DYNAMIC strategy (AbrController): the
 * throughput rule decides until the buffer reaches 18 s and again once it falls below 9 s, BOLA in between
 * and above.
 *
 * Its buffer is BOLA's own: the paper's control is derived for a buffer that may fill to Q_max, and dash.js
 * sets V and γp so that the top rung wins at its buffer time (30 s for a ten-rung ladder), so the rule keeps
 * that much (more where dash.js's scheduler would, at the top rung of long-form content). Under dash.js's
 * 18 s scheduler target the buffer never reached the 18 s at which DYNAMIC hands over to BOLA, and bola
 * played exactly as throughput did. A placeholder buffer still counts the seconds BOLA held requests back,
 * added to the real buffer when it scores the rungs (decayed 1 % a segment, trimmed so the effective buffer
 * stays under the last rung's maximum, cleared when the buffer runs dry); in start-up it seeds the
 * placeholder so that its first choice is what the safe throughput affords. Once the effective buffer is
 * above what the chosen rung warrants, it spends the placeholder first, then delays the request (below the
 * top rung). BOLA-O guards against oscillation: BOLA may not climb above both the last rung and what the
 * safe throughput affords.
 */
export class BolaRule implements AbrRule {
  readonly name = 'bola' as const;
  private usingBola = false;
  private readonly throughput = new ThroughputRule();
  private parameters: BolaParameters | undefined;
  private steady = false;
  /** Seconds of buffer BOLA counts beyond the real one. */
  placeholderS = 0;
  private lastQuality = 0;
  private lastArrivalAtS: number | undefined;
  private segmentSeen = false;
  private delayS = 0;

  bufferTargetS(context: AbrContext): number {
    return Math.max(bolaBufferTimeS(context.ladderKbps), dashJsBufferTargetS(context));
  }

  requestDelayS(): number {
    return this.delayS;
  }

  choose(context: AbrContext): number {
    this.delayS = 0;
    this.usingBola = context.bufferS >= (this.usingBola ? BOLA_SWITCH_OFF_S : BOLA_SWITCH_ON_S);
    if (!this.usingBola || context.ladderKbps.length < 2) return this.throughput.choose(context);
    // dash.js creates BOLA's state on its first decision, and from then on follows every segment.
    const parameters = (this.parameters ??= new BolaParameters(context.ladderKbps));
    const safeKbps = harmonicMeanKbps(context.throughputKbps, BOLA_THROUGHPUT_SAMPLES) * BANDWIDTH_SAFETY_FACTOR;
    const fromThroughput = highestRungAtMost(context.ladderKbps, safeKbps);
    if (!this.steady) {
      this.placeholderS = Math.max(0, parameters.minBufferFor(fromThroughput) - context.bufferS);
      this.lastQuality = fromThroughput;
      if (this.segmentSeen && context.bufferS >= context.segmentDurationS) this.steady = true;
      return fromThroughput;
    }
    // Time since the last segment arrived was the scheduler's, not the network's: it counts as buffer.
    if (this.lastArrivalAtS !== undefined) this.placeholderS += Math.max(0, context.nowS - this.lastArrivalAtS);
    this.lastArrivalAtS = undefined;
    let quality = parameters.quality(context.bufferS + this.placeholderS);
    if (quality > this.lastQuality && quality > fromThroughput) quality = Math.max(fromThroughput, this.lastQuality);
    let delayS = Math.max(0, context.bufferS + this.placeholderS - parameters.maxBufferFor(quality));
    if (delayS <= this.placeholderS) {
      this.placeholderS -= delayS;
    } else {
      delayS -= this.placeholderS;
      this.placeholderS = 0;
      // At the top rung the scheduler alone decides how far to fill.
      if (quality < context.ladderKbps.length - 1) this.delayS = delayS;
    }
    this.lastQuality = quality;
    return quality;
  }

  segmentArrived({ nowS, bufferS, downloadS, renditionIndex, stalled }: SegmentArrival): void {
    const parameters = this.parameters;
    if (!parameters) return;
    this.segmentSeen = true;
    this.lastQuality = renditionIndex;
    if (stalled && this.steady) this.placeholderS = 0;
    this.placeholderS *= BOLA_PLACEHOLDER_BUFFER_DECAY;
    // dash.js estimates the buffer at the request as the buffer now plus the download's duration.
    const maxPlaceholderS = Math.max(0, parameters.maxBufferFor(renditionIndex) - (bufferS + downloadS));
    this.placeholderS = Math.min(this.placeholderS, maxPlaceholderS);
    this.lastArrivalAtS = nowS;
  }
}

export function createAbrRule(name: AbrRuleName): AbrRule {
  switch (name) {
    case 'bba':
      return new BbaRule();
    case 'bola':
      return new BolaRule();
    case 'throughput':
      return new ThroughputRule();
    case 'fixed':
      return new FixedRule();
  }
}
