import { ABR_RULE_NAMES, createAbrRule, type AbrRuleName } from './abr-rules';
import { DEFAULT_PLAYBACK, simulatePlayback, type PlaybackOutcome, type PlaybackSettings } from './playback-simulation';
import { roundTo } from '../rounding';
import type { BandwidthTrace } from './trace';

/**
 * abr-eval: every rule over every trace, in process, with segments sized at their bitrate as the edge
 * sizes them, and the issue's target checked. The ladder is the one a grant gives a 1080p h264 device
 * for a mid-complexity title (tt00001's rungs up to 1080p, the design's figures: 235 kbps … 5,800 kbps):
 * catalog's ladder generator is internal to catalog (its entry points are its config and dependency
 * declarations), and an evaluation that needs no running platform can be run anywhere.
 */

export const REFERENCE_LADDER_KBPS: readonly number[] = [235, 375, 560, 750, 1050, 1750, 2350, 3000, 4300, 5800];

/** Ten minutes of content per play: 150 segments of 4 s, the length of the project's traces. */
export const EVALUATION_SEGMENTS = 150;

export interface RuleFigures {
  /** Mean over the traces of each play's QoE score. */
  meanQoe: number;
  /** Mean over the traces of each play's rebuffer ratio. */
  rebufferRatio: number;
  /** Mean over the traces of each play's average bitrate. */
  avgBitrateKbps: number;
  /** Mean over the traces of each play's switch count. */
  switches: number;
}

export type AbrEvaluation = Record<AbrRuleName, RuleFigures>;

export interface TracePlay {
  rule: AbrRuleName;
  trace: string;
  outcome: PlaybackOutcome;
}

export function playEveryRule(
  traces: readonly BandwidthTrace[],
  ladderKbps: readonly number[] = REFERENCE_LADDER_KBPS,
  settings: PlaybackSettings = { ...DEFAULT_PLAYBACK, segmentCount: EVALUATION_SEGMENTS },
): TracePlay[] {
  return ABR_RULE_NAMES.flatMap((rule) =>
    traces.map((trace) => ({
      rule,
      trace: trace.name,
      outcome: simulatePlayback(ladderKbps, trace, createAbrRule(rule), settings),
    })),
  );
}

export function evaluationOf(plays: readonly TracePlay[]): AbrEvaluation {
  const mean = (outcomes: PlaybackOutcome[], figure: (outcome: PlaybackOutcome) => number) =>
    outcomes.reduce((sum, outcome) => sum + figure(outcome), 0) / Math.max(1, outcomes.length);
  return Object.fromEntries(
    ABR_RULE_NAMES.map((rule) => {
      const outcomes = plays.filter((play) => play.rule === rule).map((play) => play.outcome);
      const figures: RuleFigures = {
        meanQoe: roundTo(
          mean(outcomes, (o) => o.qoe),
          2,
        ),
        rebufferRatio: roundTo(
          mean(outcomes, (o) => o.rebufferRatio),
          5,
        ),
        avgBitrateKbps: roundTo(
          mean(outcomes, (o) => o.avgBitrateKbps),
          1,
        ),
        switches: roundTo(
          mean(outcomes, (o) => o.switches),
          1,
        ),
      };
      return [rule, figures];
    }),
  ) as AbrEvaluation;
}

/** How much lower than the throughput rule's average bitrate the buffer-based rules may go. */
export const BITRATE_TOLERANCE = 0.1;

export interface TargetCheck {
  met: boolean;
  /** One line per buffer-based rule: its figures against the throughput rule's and whether it passes. */
  lines: string[];
}

/**
 * The target: bba and bola rebuffer less than throughput (or, where throughput never rebuffers,
 * not at all) at no worse than 10 % lower average bitrate.
 */
export function checkTarget(evaluation: AbrEvaluation): TargetCheck {
  const baseline = evaluation.throughput;
  const lines: string[] = [];
  let met = true;
  for (const rule of ['bba', 'bola'] as const) {
    const figures = evaluation[rule];
    const lessRebuffering =
      figures.rebufferRatio < baseline.rebufferRatio || (figures.rebufferRatio === 0 && baseline.rebufferRatio === 0);
    const bitrateHeld = figures.avgBitrateKbps >= (1 - BITRATE_TOLERANCE) * baseline.avgBitrateKbps;
    const passes = lessRebuffering && bitrateHeld;
    met &&= passes;
    const bitrateChange = (figures.avgBitrateKbps / baseline.avgBitrateKbps - 1) * 100;
    lines.push(
      `${rule}: rebuffer ratio ${figures.rebufferRatio} vs ${baseline.rebufferRatio} ${lessRebuffering ? '(less)' : '(NOT less)'}, ` +
        `average bitrate ${bitrateChange >= 0 ? '+' : ''}${bitrateChange.toFixed(1)} % ${bitrateHeld ? '(within 10 %)' : '(MORE than 10 % lower)'}: ` +
        (passes ? 'met' : 'NOT met'),
    );
  }
  return { met, lines };
}
