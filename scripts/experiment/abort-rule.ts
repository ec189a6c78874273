import { roundTo } from '../rounding';

/**
 * When an experiment stops itself (ChAP's automatic abort), judged once a second on stream starts
 * (successful AuthorizePlayback) of the two cohorts, which are offered the same rate:
 * - each second is judged on the starts of the last {@link JUDGING_WINDOW_S} seconds (fewer at the very
 *   start), because a second's count of a few dozen starts is mostly Poisson noise;
 * - a second where control started fewer than {@link MIN_CONTROL_STARTS} plays in that window is too small
 *   to judge: it is ignored (it neither counts towards an abort nor resets the count);
 * - a judged second falls short when the window's starts say, with one-sided 95 % confidence, that the
 *   experiment's rate is below control's × (1 − threshold): experiment < control × (1 − threshold) − z·σ,
 *   with z = {@link CONFIDENCE_Z} and σ = √(experiment + (1 − threshold)² × control), the Poisson spread of
 *   that difference. Compared bare, a 10 % threshold at 20 starts a second is within counting noise: equal
 *   cohorts aborted in about half of simulated 60 s runs. With the test, about 1 in 100 do, while a 40 % drop
 *   aborts every run within about 7 s, and a total outage as soon as `abortAfterS` allows;
 * - the experiment is aborted once `abortAfterS` judged seconds in a row fall short.
 * Pure: seconds in, verdicts out, no clock and no I/O.
 */

export const JUDGING_WINDOW_S = 5;
export const MIN_CONTROL_STARTS = 10;
/** The one-sided 95 % quantile of the normal distribution. */
export const CONFIDENCE_Z = 1.645;

export interface AbortRuleOptions {
  /** Relative shortfall of the experiment's stream starts below control's that counts (0.1: 10 % fewer). */
  threshold: number;
  /** Judged seconds in a row that must fall short for the experiment to be aborted. */
  abortAfterS: number;
}

/** Successful AuthorizePlayback of each cohort in one second. */
export interface SecondStarts {
  control: number;
  experiment: number;
}

export interface SecondVerdict {
  /** Seconds since the experiment began. */
  t: number;
  /** Starts of each cohort over the judging window ending with second t. */
  windowControl: number;
  windowExperiment: number;
  judged: boolean;
  fallsShort: boolean;
  /** Judged seconds in a row that fell short, this one included. */
  shortSeconds: number;
  /** Set on the second that aborts the experiment: why, in one sentence. */
  abortReason?: string;
}

/** The rule in one line, for the report and the progress output. */
export function describeAbortRule({ threshold, abortAfterS }: AbortRuleOptions): string {
  return (
    `abort when experiment SPS < control SPS × ${roundTo(1 - threshold, 2)} (one-sided 95 % confidence) ` +
    `for ${abortAfterS} judged s in a row; SPS over the last ${JUDGING_WINDOW_S} s, ` +
    `seconds with under ${MIN_CONTROL_STARTS} control starts in that window are not judged`
  );
}

export class AbortRule {
  private readonly seconds: SecondStarts[] = [];
  private shortSeconds = 0;

  constructor(readonly options: AbortRuleOptions) {}

  /** The next second's starts (the first call is second 0); answers that second's verdict. */
  observe(starts: SecondStarts): SecondVerdict {
    const t = this.seconds.push(starts) - 1;
    const window = this.seconds.slice(-JUDGING_WINDOW_S);
    const windowControl = window.reduce((sum, second) => sum + second.control, 0);
    const windowExperiment = window.reduce((sum, second) => sum + second.experiment, 0);
    const judged = windowControl >= MIN_CONTROL_STARTS;
    const expected = windowControl * (1 - this.options.threshold);
    const spread = Math.sqrt(windowExperiment + (1 - this.options.threshold) ** 2 * windowControl);
    const fallsShort = judged && windowExperiment < expected - CONFIDENCE_Z * spread;
    if (judged) this.shortSeconds = fallsShort ? this.shortSeconds + 1 : 0;
    const verdict: SecondVerdict = {
      t,
      windowControl,
      windowExperiment,
      judged,
      fallsShort,
      shortSeconds: this.shortSeconds,
    };
    if (fallsShort && this.shortSeconds === this.options.abortAfterS) {
      const perSecond = (count: number) => roundTo(count / window.length, 2);
      verdict.abortReason =
        `experiment SPS fell more than ${roundTo(this.options.threshold * 100, 2)} % below control for ` +
        `${this.shortSeconds} s in a row (last ${window.length} s: ${perSecond(windowExperiment)} vs ${perSecond(windowControl)})`;
    }
    return verdict;
  }
}
