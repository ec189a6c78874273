import {
  bbaParametersFor,
  BbaRule,
  bolaBufferTimeS,
  BolaParameters,
  BolaRule,
  bolaQuality,
  createAbrRule,
  FixedRule,
  harmonicMeanKbps,
  ThroughputRule,
  type AbrContext,
  type AbrRuleName,
} from '../player/abr-rules';
import {
  checkTarget,
  evaluationOf,
  playEveryRule,
  REFERENCE_LADDER_KBPS,
  type AbrEvaluation,
} from '../player/abr-evaluation';
import {
  DEFAULT_PLAYBACK,
  PlaybackSimulation,
  simulatePlayback,
  type PlaybackSettings,
} from '../player/playback-simulation';
import { pensieveQoe, summarizeQoe } from '../player/qoe';
import { formatTrace, parseTrace, rateAt, traceOf, transferSeconds, TraceFormatError } from '../player/trace';
import { generatedTrace, generatedTraces, TRACE_NAMES } from '../player/trace-models';

/**
 * The player's domain without I/O: each ABR rule on crafted buffer and throughput sequences, the
 * playback simulation's accounting (start-up, stalls, the maximum buffer, QoE) on traces whose arithmetic
 * can be done by hand, trace parsing and pacing, and abr-eval's figures and target check.
 */

const LADDER = REFERENCE_LADDER_KBPS; // 235 375 560 750 1050 1750 2350 3000 4300 5800

/** The rule's choice for each context in turn. */
function decisions(rule: { choose(context: AbrContext): number }, cases: Partial<AbrContext>[]): number[] {
  return cases.map((overrides) => rule.choose(context(overrides)));
}

function context(overrides: Partial<AbrContext>): AbrContext {
  return {
    bufferS: 0,
    throughputKbps: [],
    ladderKbps: LADDER,
    lastIndex: undefined,
    segmentDurationS: 4,
    maxBufferS: 30,
    contentDurationS: 600,
    nowS: 0,
    ...overrides,
  };
}

describe('throughput rule (dash.js ThroughputRule)', () => {
  const rule = new ThroughputRule();

  test.each([
    [[], 0, 'nothing measured: the lowest rung'],
    [[1000, 1000, 1000, 1000], 3, '900 kbps safe: 750'],
    [[4000, 1000], 4, 'harmonic mean 1600 × 0.9 = 1440: 1050'],
    [[100, 5000, 5000, 5000, 5000], 8, 'only the last 4 count: 4500 → 4300'],
    [[100_000], 9, 'more than the top rung: the top'],
  ])('%j → rung %i (%s)', (throughputKbps, expected) => {
    expect(rule.choose(context({ throughputKbps, bufferS: 20 }))).toBe(expected);
  });

  test('a harmonic mean weighs the slow segment: 1000 and 4000 average 1600, not 2500', () => {
    expect(harmonicMeanKbps([1000, 4000])).toBeCloseTo(1600);
  });
});

describe('BBA (Huang et al., SIGCOMM 2014)', () => {
  /** The example map, 5 s reservoir and 10 s cushion, so that the arithmetic is easy. */
  const EXAMPLE = { reservoirS: 5, cushionS: 10 };

  /** A rule past start-up: a first decision with the buffer shrinking ends BBA-2's start-up phase. */
  function steadyBba(rule = new BbaRule(EXAMPLE)): BbaRule {
    rule.choose(context({ bufferS: 20 }));
    rule.choose(context({ bufferS: 19, lastIndex: 9 }));
    return rule;
  }

  test("the paper's 240 s map (90 s reservoir, 126 s cushion, 24 s upper reservoir) scaled to the buffer it fills", () => {
    expect(bbaParametersFor(240, 4)).toEqual({ reservoirS: 90, cushionS: 126 });
    // 30 s: 11.25 s reservoir; the upper reservoir (3 s scaled) is one 4 s segment, so the map tops out at 26 s.
    const thirty = bbaParametersFor(30, 4);
    expect(thirty.reservoirS).toBeCloseTo(11.25);
    expect(thirty.cushionS).toBeCloseTo(14.75);
    const sixty = bbaParametersFor(60, 4);
    expect(sixty.reservoirS).toBeCloseTo(22.5);
    expect(sixty.reservoirS + sixty.cushionS).toBeCloseTo(54);
  });

  test('by default the map spans the whole buffer: lowest rung up to 11.25 s, the top from 26 s of a 30 s buffer', () => {
    const rule = steadyBba(new BbaRule());
    // The same 20 s is low in a 60 s player: the map scales with the buffer.
    expect(
      decisions(rule, [
        { bufferS: 11.25, lastIndex: 5 },
        { bufferS: 26, lastIndex: 0 },
      ]),
    ).toEqual([0, 9]);
    expect(decisions(rule, [{ bufferS: 20, lastIndex: 5, maxBufferS: 60 }])).toEqual([0]);
  });

  test('the reservoir always takes the lowest rung, the top of the cushion the highest', () => {
    const cases = [
      { bufferS: 5, lastIndex: 9 },
      { bufferS: 15, lastIndex: 0 },
      { bufferS: 29, lastIndex: 4 },
    ];
    expect(decisions(steadyBba(), cases)).toEqual([0, 9, 9]);
  });

  test('the rate map is linear over the cushion', () => {
    expect(BbaRule.rateMapKbps(5, LADDER, EXAMPLE)).toBe(235);
    expect(BbaRule.rateMapKbps(10, LADDER, EXAMPLE)).toBeCloseTo(235 + 0.5 * (5800 - 235));
    expect(BbaRule.rateMapKbps(15, LADDER, EXAMPLE)).toBe(5800);
  });

  test('hysteresis: the rate holds until f(B) crosses the next rung up or down', () => {
    const rule = steadyBba();
    // f(6.015 s) ≈ 800 kbps lies between 560 and 1050: 750 holds.
    expect(rule.choose(context({ bufferS: 6.015, lastIndex: 3 }))).toBe(3);
    // f(7 s) ≈ 1348 kbps ≥ 1050: up to the highest rung below f(B), 1050.
    expect(rule.choose(context({ bufferS: 7, lastIndex: 3 }))).toBe(4);
    // f(6 s) ≈ 792 kbps ≤ 1750 from 2350: down to the lowest rung above f(B), 1050.
    expect(rule.choose(context({ bufferS: 6, lastIndex: 6 }))).toBe(4);
  });

  test('start-up (BBA-2): a segment that downloaded 10× faster than it plays steps up a rung; a shrinking buffer ends it', () => {
    const rule = new BbaRule(EXAMPLE);
    expect(rule.choose(context({ bufferS: 0 }))).toBe(0);
    // 235 kbps fetched at 2350 kbps: ΔB/V = 0.9 > 0.875 − 0.375 × 4/15 ≈ 0.78.
    expect(rule.choose(context({ bufferS: 4, throughputKbps: [2350], lastIndex: 0 }))).toBe(1);
    expect(rule.choose(context({ bufferS: 4.4, throughputKbps: [2350, 375 * 10], lastIndex: 1 }))).toBe(2);
    // Only 1.5× faster: no step, the start-up rung holds over the reservoir's lowest.
    expect(rule.choose(context({ bufferS: 4.6, throughputKbps: [2350, 3750, 840], lastIndex: 2 }))).toBe(2);
    // The buffer shrank: start-up is over and the map alone decides (the reservoir: lowest).
    expect(rule.choose(context({ bufferS: 4.5, throughputKbps: [2350, 3750, 840, 10_000], lastIndex: 2 }))).toBe(0);
    expect(rule.choose(context({ bufferS: 4.9, throughputKbps: [100_000], lastIndex: 0 }))).toBe(0);
  });
});

describe('BOLA (Spiteri et al., INFOCOM 2016) as dash.js runs it in DYNAMIC', () => {
  const PARAMETERS = new BolaParameters(LADDER);

  /**
   * A rule whose BOLA is in steady state with an empty placeholder: the first BOLA decision is start-up,
   * the second (a segment having arrived, the buffer over one segment) moves it to steady; an arrival with
   * a buffer above every rung's maximum trims the placeholder to 0.
   */
  function steadyBola(atS = 0): BolaRule {
    const rule = new BolaRule();
    const tp = [1000, 1000, 1000];
    rule.choose(context({ bufferS: 18, throughputKbps: tp, lastIndex: 3 }));
    rule.segmentArrived({ nowS: atS, bufferS: 40, downloadS: 1, renditionIndex: 3, stalled: false });
    rule.choose(context({ bufferS: 18, throughputKbps: tp, lastIndex: 3, nowS: atS }));
    rule.segmentArrived({ nowS: atS, bufferS: 40, downloadS: 1, renditionIndex: 3, stalled: false });
    expect(rule.placeholderS).toBe(0);
    return rule;
  }

  test("dash.js's parameters: the top rung at 10 s + 2 s a rung (at least bufferTimeDefault, 18 s), the lowest at 10 s", () => {
    expect(bolaBufferTimeS(LADDER)).toBe(30);
    expect(bolaBufferTimeS([500, 1000, 2000])).toBe(18);
    expect(bolaQuality(LADDER, 10)).toBe(0);
    expect(bolaQuality(LADDER, 30)).toBe(9);
    const byBuffer = [10, 14, 18, 22, 26, 30].map((bufferS) => bolaQuality(LADDER, bufferS));
    expect(byBuffer).toEqual([...byBuffer].sort((a, b) => a - b));
    // V·(u_0 + γp) − 1·V = 10 s and V·(u_max + γp − 1) = 30 s, as BolaRule.calculateBolaParameters solves them.
    expect(PARAMETERS.vp * PARAMETERS.gp).toBeCloseTo(10);
    expect(PARAMETERS.maxBufferFor(9) - PARAMETERS.vp).toBeCloseTo(30);
    // The lowest buffer at which a rung beats every lower one is where BOLA switches up to it.
    const at = PARAMETERS.minBufferFor(5);
    expect(PARAMETERS.quality(at + 0.01)).toBeGreaterThanOrEqual(5);
    expect(PARAMETERS.quality(at - 0.01)).toBeLessThan(5);
  });

  test('the throughput rule decides until the buffer reaches 18 s, BOLA from there until it falls below 9 s', () => {
    const rule = new BolaRule();
    expect(rule.choose(context({ bufferS: 17.9, throughputKbps: [1000, 1000, 1000], lastIndex: 3 }))).toBe(3);
    // BOLA's start-up at 18 s: what its safe throughput (3 samples, × 0.9) affords: 9000 kbps, the top.
    // The throughput rule (4 samples) would have said 2350 (rung 6).
    const throughputKbps = [1000, 10_000, 10_000, 10_000];
    expect(new ThroughputRule().choose(context({ throughputKbps }))).toBe(6);
    expect(rule.choose(context({ bufferS: 18, throughputKbps, lastIndex: 3 }))).toBe(9);
    rule.segmentArrived({ nowS: 0, bufferS: 40, downloadS: 1, renditionIndex: 9, stalled: false });
    rule.choose(context({ bufferS: 18, throughputKbps, lastIndex: 9 }));
    rule.segmentArrived({ nowS: 0, bufferS: 40, downloadS: 1, renditionIndex: 9, stalled: false });
    // Still BOLA at 10 s (hysteresis): its choice at 10 s is the lowest rung, where throughput says 2350.
    expect(rule.choose(context({ bufferS: 10, throughputKbps, lastIndex: 9 }))).toBe(0);
    // Below 9 s: the throughput rule again.
    expect(rule.choose(context({ bufferS: 8.9, throughputKbps, lastIndex: 0 }))).toBe(6);
  });

  test("the placeholder buffer: seconds the scheduler held a request back count as buffer in BOLA's score", () => {
    const rule = steadyBola(100);
    const throughputKbps = [100_000, 100_000, 100_000];
    // The scheduler waited 6 s since the last arrival: BOLA scores 12 s + 6 s, not 12 s.
    const chosen = rule.choose(context({ bufferS: 12, throughputKbps, lastIndex: 3, nowS: 106 }));
    expect(PARAMETERS.quality(12)).toBeLessThan(PARAMETERS.quality(18));
    expect(chosen).toBe(PARAMETERS.quality(18));
    expect(rule.placeholderS).toBeCloseTo(6);
  });

  test('the placeholder decays 1 % a segment, is trimmed under the last rung’s maximum, and is cleared by a stall', () => {
    const rule = steadyBola(100);
    rule.choose(context({ bufferS: 12, throughputKbps: [100_000], lastIndex: 3, nowS: 106 }));
    rule.segmentArrived({ nowS: 107, bufferS: 1, downloadS: 1, renditionIndex: 9, stalled: false });
    expect(rule.placeholderS).toBeCloseTo(6 * 0.99);
    // The buffer at the request (≈ 30 s + 1 s) plus the placeholder may not exceed rung 3's maximum (≈ 23.5 s).
    rule.segmentArrived({ nowS: 108, bufferS: 20, downloadS: 1, renditionIndex: 3, stalled: false });
    expect(rule.placeholderS).toBeCloseTo(Math.min(6 * 0.99 * 0.99, PARAMETERS.maxBufferFor(3) - 21));
    rule.segmentArrived({ nowS: 109, bufferS: 4, downloadS: 5, renditionIndex: 0, stalled: true });
    expect(rule.placeholderS).toBe(0);
  });

  test("BOLA's own target: above what the chosen rung warrants it holds the request back (below the top rung)", () => {
    const rule = steadyBola();
    // Throughput affords rung 3 (900 kbps safe); BOLA-O keeps it there; rung 3 warrants ≈ 23.5 s of buffer.
    const chosen = rule.choose(context({ bufferS: 25, throughputKbps: [1000, 1000, 1000], lastIndex: 3 }));
    expect(chosen).toBe(3);
    expect(rule.requestDelayS()).toBeCloseTo(25 - PARAMETERS.maxBufferFor(3));
    // At the top rung the scheduler decides alone: no hold.
    rule.choose(context({ bufferS: 40, throughputKbps: [100_000, 100_000, 100_000], lastIndex: 9 }));
    expect(rule.requestDelayS()).toBe(0);
  });

  test('BOLA-O: no climb above both the last rung and what the safe throughput affords', () => {
    const rule = steadyBola();
    // Buffer says the top; 0.9 × 1000 kbps affords 750 (rung 3), above the last rung 2: rung 3.
    rule.segmentArrived({ nowS: 0, bufferS: 40, downloadS: 1, renditionIndex: 2, stalled: false });
    expect(rule.choose(context({ bufferS: 26, throughputKbps: [1000, 1000, 1000], lastIndex: 2 }))).toBe(3);
    // Last rung 6 is above what throughput affords: stay at 6 rather than climb.
    rule.segmentArrived({ nowS: 0, bufferS: 40, downloadS: 1, renditionIndex: 6, stalled: false });
    expect(rule.choose(context({ bufferS: 26, throughputKbps: [1000, 1000, 1000], lastIndex: 6 }))).toBe(6);
  });
});

describe("each rule's buffer target", () => {
  test("throughput: dash.js's ScheduleController, 18 s below the top rung, 30 s at it, 60 s for long form", () => {
    const rule = new ThroughputRule();
    expect(rule.bufferTargetS(context({ lastIndex: undefined }))).toBe(18);
    expect(rule.bufferTargetS(context({ lastIndex: 8 }))).toBe(18);
    expect(rule.bufferTargetS(context({ lastIndex: 9, contentDurationS: 599 }))).toBe(30);
    expect(rule.bufferTargetS(context({ lastIndex: 9, contentDurationS: 600 }))).toBe(60);
  });

  test("bola: its own buffer time (10 s + 2 s a rung) at every rung, dash.js's 60 s at the top of long form", () => {
    const rule = new BolaRule();
    expect(rule.bufferTargetS(context({ lastIndex: undefined }))).toBe(30);
    expect(rule.bufferTargetS(context({ lastIndex: 3 }))).toBe(30);
    expect(rule.bufferTargetS(context({ lastIndex: 9, contentDurationS: 600 }))).toBe(60);
    expect(rule.bufferTargetS(context({ lastIndex: 0, ladderKbps: LADDER.slice(0, 3) }))).toBe(18);
  });

  test('bba and fixed: the whole buffer, whatever the rung', () => {
    for (const rule of [new BbaRule(), new FixedRule()]) {
      expect(rule.bufferTargetS(context({ lastIndex: 0 }))).toBe(30);
      expect(rule.bufferTargetS(context({ lastIndex: 9, maxBufferS: 45 }))).toBe(45);
    }
  });

  const highestBuffer = (rule: AbrRuleName, mbps: number, overrides: Partial<PlaybackSettings> = {}) => {
    const outcome = simulatePlayback(
      LADDER,
      traceOf(`flat-${mbps}`, [0], [mbps]),
      createAbrRule(rule),
      settings({ segmentCount: 60, ...overrides }),
    );
    return Math.max(...outcome.timeline.map((point) => point.bufferS));
  };

  test('the simulation keeps each one: throughput below the top rung under 18 s, bola and bba past it', () => {
    // 1.2 Mbps: the throughput rule sits at 1050 kbps, below the top; requests start under 14 s and each
    // 3.5 s download drains what it adds but 0.5 s, so the buffer peaks at 14.5 s.
    expect(highestBuffer('throughput', 1.2)).toBeLessThan(18);
    expect(highestBuffer('throughput', 1.2)).toBeCloseTo(14.5, 1);
    // BOLA fills past dash.js's 18 s, so its DYNAMIC hand-over from the throughput rule happens.
    expect(highestBuffer('bola', 1.2)).toBeGreaterThan(18);
    // BBA requests whenever a segment fits under 30 s: on a fast link the buffer reaches it.
    expect(highestBuffer('bba', 100)).toBeGreaterThan(29.5);
    expect(highestBuffer('bba', 100)).toBeLessThanOrEqual(30);
  });

  test("at the top rung the throughput rule's 60 s long-form target is capped by the player's 30 s buffer", () => {
    expect(highestBuffer('throughput', 100, { contentDurationS: 3600 })).toBeLessThanOrEqual(30);
    expect(highestBuffer('throughput', 100, { contentDurationS: 3600, maxBufferS: 90 })).toBeGreaterThan(59);
    expect(highestBuffer('throughput', 100, { contentDurationS: 3600, maxBufferS: 90 })).toBeLessThanOrEqual(60);
  });
});

test('fixed: the middle of the ladder, or the rung it is given', () => {
  expect(new FixedRule().choose(context({ bufferS: 0 }))).toBe(5);
  expect(new FixedRule(2).choose(context({ bufferS: 25, throughputKbps: [100_000] }))).toBe(2);
});

const flat = (mbps: number) => traceOf(`flat-${mbps}`, [0], [mbps]);
const settings = (overrides: Partial<PlaybackSettings>): PlaybackSettings => ({
  ...DEFAULT_PLAYBACK,
  requestLatencyS: 0,
  segmentCount: 10,
  ...overrides,
});

describe('playback simulation', () => {
  test('a link twice the bitrate: start-up after 2 segments (4 s), no stall, wall = start-up + content', () => {
    const outcome = simulatePlayback([1000], flat(2), new FixedRule(0), settings({}));
    expect(outcome).toMatchObject({
      startupDelayS: 4,
      rebufferCount: 0,
      rebufferS: 0,
      playedS: 40,
      segments: 10,
      switches: 0,
      qoe: 10,
    });
    expect(outcome.wallS).toBeCloseTo(44);
  });

  test('a link half the bitrate: every segment after the third stalls 4 s, one event each', () => {
    // 8 s per 4 s segment: start-up at 16 s; the 3rd segment drains the buffer exactly; the 4th and 5th stall 4 s each.
    const outcome = simulatePlayback([1000], flat(0.5), new FixedRule(0), settings({ segmentCount: 5 }));
    expect(outcome).toMatchObject({ startupDelayS: 16, rebufferCount: 2, rebufferS: 8, playedS: 20, segments: 5 });
    expect(outcome.wallS).toBeCloseTo(44);
    expect(outcome.rebufferRatio).toBeCloseTo(8 / 28);
    expect(outcome.qoe).toBeCloseTo(5 - 4.3 * 8);
  });

  test('the maximum buffer: no download starts while a segment would not fit under 30 s', () => {
    const outcome = simulatePlayback([1000], flat(100), new FixedRule(0), settings({ segmentCount: 40 }));
    const highest = Math.max(...outcome.timeline.map((point) => point.bufferS));
    expect(highest).toBeLessThanOrEqual(30);
    expect(highest).toBeGreaterThan(29.9);
    expect(outcome.rebufferS).toBe(0);
  });

  test.each(TRACE_NAMES)('on %s, every rule: start-up + played + rebuffered = simulated wall time', (name) => {
    const trace = generatedTrace(name);
    for (const rule of [new BbaRule(), new BolaRule(), new ThroughputRule(), new FixedRule()]) {
      const simulation = new PlaybackSimulation(LADDER, trace, rule, { ...DEFAULT_PLAYBACK, segmentCount: 60 });
      while (!simulation.done) simulation.segmentArrived(simulation.segmentBytes(simulation.nextSegment()));
      const outcome = simulation.finish();
      const { startupDelayS, playedS, rebufferS, wallS } = simulation.totals;
      expect(startupDelayS + playedS + rebufferS).toBeCloseTo(wallS, 6);
      expect(playedS).toBeCloseTo(60 * 4, 6);
      expect(outcome.segments).toBe(60);
    }
  });

  test('a failed request with 10 s or more buffered costs time, not a stall', () => {
    const simulation = new PlaybackSimulation([1000], flat(10), new FixedRule(0), settings({ segmentCount: 10 }));
    for (let i = 0; i < 4; i++) simulation.segmentArrived(simulation.segmentBytes(simulation.nextSegment()));
    expect(simulation.bufferS).toBeGreaterThanOrEqual(10);
    const retried = simulation.nextSegment();
    simulation.requestFailed(1.5);
    simulation.segmentArrived(simulation.segmentBytes(retried));
    while (!simulation.done) simulation.segmentArrived(simulation.segmentBytes(simulation.nextSegment()));
    expect(simulation.finish().rebufferS).toBe(0);
  });
});

describe('QoE (Pensieve QoE_lin)', () => {
  test('Σ Mbps − 4.3 × rebuffer s − Σ |Δ Mbps|', () => {
    expect(pensieveQoe([1000, 3000, 1000], 2)).toBeCloseTo(5 - 8.6 - 4);
  });

  test('summary: average bitrate, switches, ratio over the time after start-up', () => {
    expect(
      summarizeQoe({
        segmentKbps: [235, 235, 750, 235],
        startupDelayS: 1,
        rebufferCount: 1,
        rebufferS: 2,
        playedS: 14,
      }),
    ).toEqual({
      startupDelayS: 1,
      rebufferCount: 1,
      rebufferS: 2,
      rebufferRatio: 0.125,
      avgBitrateKbps: 363.8,
      switches: 2,
      qoe: Number((1.455 - 8.6 - 1.03).toFixed(3)),
      playedS: 14,
      segments: 4,
    });
  });
});

describe('traces', () => {
  test('the `time_seconds Mbps` format: comments, blank lines, any origin', () => {
    const trace = parseTrace('t', '# a trace\n\n100.5  1.5\n101.5\t3 # fast\n102.5 0\n');
    expect(trace).toEqual({ name: 't', startsS: [0, 1, 2], mbps: [1.5, 3, 0], periodS: 3 });
    expect(rateAt(trace, 1.2)).toBe(3);
    expect(rateAt(trace, 3.5)).toBe(1.5);
  });

  test.each([
    ['0 1\n1\n', 'line 2: expected two numbers'],
    ['0 1\n1 x\n', 'line 2: time_seconds and Mbps must be numbers'],
    ['0 1\n1 -2\n', 'line 2: Mbps must be ≥ 0'],
    ['0 1\n0 2\n', 'line 2: time_seconds must increase'],
    ['# nothing\n', 'no samples'],
    ['0 0\n1 0\n', 'every sample is 0 Mbps'],
  ])('%j is refused: %s', (text, message) => {
    expect(() => parseTrace('bad', text, 'bad.log')).toThrow(TraceFormatError);
    expect(() => parseTrace('bad', text, 'bad.log')).toThrow(`bad.log: ${message}`);
  });

  test('transfers integrate the piecewise-constant rate and wrap around the trace', () => {
    const trace = parseTrace('t', '0 1\n1 3\n'); // 1 Mbps, then 3 Mbps, 2 s a pass
    expect(transferSeconds(trace, 0, 2e6)).toBeCloseTo(1 + 1 / 3);
    expect(transferSeconds(trace, 0.5, 0.5e6)).toBeCloseTo(0.5);
    expect(transferSeconds(trace, 0, 10e6)).toBeCloseTo(5 + 1 / 3);
    expect(transferSeconds(parseTrace('gap', '0 0\n1 2\n'), 0, 1e6)).toBeCloseTo(1.5);
  });

  test('generated traces: the same on every run, 10 minutes each, and they survive their own file format', () => {
    const traces = generatedTraces();
    expect(traces.map((trace) => trace.name)).toEqual(['3g-commute', 'lte', 'cable', 'step-down', 'dropout']);
    expect(generatedTraces()).toEqual(traces);
    for (const trace of traces) {
      expect(trace.periodS).toBe(600);
      const again = parseTrace(trace.name, formatTrace(trace));
      expect(again.mbps.map((rate, i) => rate - trace.mbps[i]!).every((d) => Math.abs(d) < 1e-4)).toBe(true);
    }
    expect(rateAt(generatedTrace('dropout'), 410)).toBe(0);
    expect(rateAt(generatedTrace('step-down'), 450)).toBeLessThan(1);
  });
});

describe('abr-eval', () => {
  test('figures per rule are the means over the traces', () => {
    const traces = [generatedTrace('cable'), generatedTrace('step-down')];
    const plays = playEveryRule(traces);
    expect(plays).toHaveLength(8);
    const evaluation = evaluationOf(plays);
    expect(Object.keys(evaluation)).toEqual(['bba', 'bola', 'throughput', 'fixed']);
    const bba = plays.filter((play) => play.rule === 'bba').map((play) => play.outcome);
    expect(evaluation.bba.avgBitrateKbps).toBeCloseTo((bba[0]!.avgBitrateKbps + bba[1]!.avgBitrateKbps) / 2, 1);
    expect(evaluation.fixed).toMatchObject({ avgBitrateKbps: 1750, switches: 0 });
  });

  const figures = (rebufferRatio: number, avgBitrateKbps: number) => ({
    meanQoe: 0,
    rebufferRatio,
    avgBitrateKbps,
    switches: 0,
  });

  test.each([
    [figures(0.01, 3000), figures(0.01, 2800), true],
    [figures(0.02, 3000), figures(0.01, 2800), false], // bba rebuffers more
    [figures(0.01, 2600), figures(0.01, 2800), false], // bba 13 % lower bitrate
    [figures(0.01, 2800), figures(0.02, 2800), false], // bola not less
  ])('target: bba %j, bola %j against throughput 0.02 at 3000 kbps → %s', (bba, bola, met) => {
    const evaluation: AbrEvaluation = { bba, bola, throughput: figures(0.02, 3000), fixed: figures(0.5, 1750) };
    if (bola.rebufferRatio === 0.02) evaluation.bola = figures(0.02, 2800);
    expect(checkTarget(evaluation).met).toBe(met);
  });

  test("the project's traces meet the target: bba and bola rebuffer less than throughput, within 10 % of its bitrate", () => {
    const evaluation = evaluationOf(playEveryRule(generatedTraces()));
    expect(checkTarget(evaluation)).toMatchObject({ met: true });
    expect(evaluation.bola.rebufferRatio).toBeLessThan(evaluation.throughput.rebufferRatio);
    expect(evaluation.bba.rebufferRatio).toBeLessThan(evaluation.throughput.rebufferRatio);
  });

  test('where throughput never rebuffers, none at all counts as less', () => {
    const none = figures(0, 3000);
    expect(checkTarget({ bba: none, bola: none, throughput: none, fixed: none }).met).toBe(true);
  });
});
