import { htmlPage, lineChart } from '../load/report';
import type { CohortRecorder, CohortSecond } from './cohort';
import { roundTo } from '../rounding';

/**
 * The experiment report: JSON with the fields the design names (`fault` or `kong`, `aborted`,
 * `abortReason`, `durationS`, and per cohort `plays`, `ok`, `degraded`, `errors` by code, `sps`, `p99Ms`,
 * `perSecond`), plus what makes it readable on its own (the rule it was judged by, when it was aborted,
 * how many calls carried the fault; for Kong, where steering sent each cohort and whether the region was
 * restored); a text table; and a self-contained HTML page with both SPS curves.
 */

export interface CohortReport {
  /** Country the cohort's plays come from (their steering home). */
  country: string;
  viewers: number;
  /** AuthorizePlayback answered. */
  plays: number;
  ok: number;
  /** OK grants with non-empty degraded_features. */
  degraded: number;
  /** Failed plays by gRPC code name. */
  errors: Record<string, number>;
  /** Successful AuthorizePlayback per second of the run. */
  sps: number;
  p99Ms: number;
  /** Kong: by phase of the run, the regions of the grants' best URLs (grants per region). */
  servedFrom?: Record<string, Record<string, number>>;
  /** Kong: by phase of the run, the regions of every URL handed out. */
  urlsByRegion?: Record<string, Record<string, number>>;
  perSecond: CohortSecond[];
}

export interface ExperimentReport {
  /** The x-streamplane-fault the experiment cohort carried. */
  fault?: string;
  /** The region a Chaos Kong game day evacuated. */
  kong?: string;
  aborted: boolean;
  abortReason: string | null;
  durationS: number;
  startedAt: string;
  /** Plays offered per second, both cohorts together; each cohort was offered half. */
  offeredRate: number;
  abortRule: string;
  /** Seconds after the start when the experiment was aborted (the fault stopped then). */
  abortedAtS: number | null;
  /** Fault: calls sent with the fault, and the last one's time (seconds after the start). */
  faultedCalls?: number;
  lastFaultedCallAtS?: number | null;
  /** Kong: where the region's clients fail over, when it was evacuated, and whether it is back. */
  failoverRegion?: string;
  evacuatedAtS?: number | null;
  restoredAtS?: number | null;
  restored?: boolean;
  control: CohortReport;
  experiment: CohortReport;
}

export function cohortReport(
  recorder: CohortRecorder,
  about: { country: string; viewers: number },
  durationS: number,
): CohortReport {
  const { plays, ok, degraded, errors, p99Ms } = recorder.totals;
  const placed = Object.keys(recorder.servedFrom).length > 0;
  return {
    ...about,
    plays,
    ok,
    degraded,
    errors,
    sps: durationS > 0 ? roundTo(ok / durationS, 2) : 0,
    p99Ms,
    ...(placed ? { servedFrom: recorder.servedFrom, urlsByRegion: recorder.urlsByRegion } : {}),
    perSecond: recorder.perSecond(Math.floor(durationS)),
  };
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((part / whole) * 100)} %` : '-';
}

function tally(counts: Record<string, number> | undefined): string {
  const entries = Object.entries(counts ?? {});
  return entries.length === 0 ? '-' : entries.map(([key, n]) => `${key} ${n}`).join(', ');
}

/** What was tried and how it ended, in one line. */
export function headline(report: ExperimentReport): string {
  const what = report.fault !== undefined ? `fault ${report.fault}` : `Chaos Kong: ${report.kong} evacuated`;
  const end = report.aborted ? `ABORTED at ${report.abortedAtS} s: ${report.abortReason}` : 'ran to the end';
  return `${what} · ${report.offeredRate} plays/s (half per cohort) · ${report.durationS} s · ${end}`;
}

/** The final table, as printed. */
export function formatExperimentReport(report: ExperimentReport): string {
  const { control, experiment } = report;
  const cells = (label: string, left: string, right: string) =>
    `  ${label.padEnd(20)} ${left.padStart(16)}  ${right.padStart(16)}`;
  const row = (label: string, of: (cohort: CohortReport) => string) => cells(label, of(control), of(experiment));
  const lines = [
    headline(report),
    `  ${report.abortRule}`,
    '',
    cells('', 'control', 'experiment'),
    row('country', (c) => c.country),
    row('viewers', (c) => String(c.viewers)),
    row('plays', (c) => String(c.plays)),
    row('ok', (c) => String(c.ok)),
    row('degraded', (c) => `${c.degraded} (${percent(c.degraded, c.ok)})`),
    row('SPS', (c) => c.sps.toFixed(2)),
    row('p99 ms', (c) => c.p99Ms.toFixed(1)),
    `  errors: control ${tally(control.errors)}; experiment ${tally(experiment.errors)}`,
  ];
  if (report.faultedCalls !== undefined) {
    lines.push(
      `  calls sent with the fault: ${report.faultedCalls}, the last at ${report.lastFaultedCallAtS ?? '-'} s`,
    );
    const failed = control.plays - control.ok;
    if (failed > 0 || control.degraded > 0) {
      // Control never carries the fault, and the services keep the experiment's breakers and limits apart
      // from control's: what control suffered came from the platform itself or what both share downstream.
      lines.push(
        `  note: control was hit too (${failed} failed, ${control.degraded} degraded) though none of its calls ` +
          'carried the fault: the platform itself was in trouble (overload, an outage) or the fault spilled ' +
          'over through what both cohorts share (a server busy with the experiment); the comparison may ' +
          'understate the harm',
      );
    }
  }
  if (report.kong !== undefined) {
    lines.push(
      `  evacuated at ${report.evacuatedAtS ?? '-'} s (failover ${report.failoverRegion}); ` +
        `${report.restored ? `restored at ${report.restoredAtS} s` : 'NOT RESTORED'}`,
    );
    for (const phase of Object.keys(experiment.servedFrom ?? {})) {
      lines.push(`  ${report.kong} viewers served from, ${phase}: ${tally(experiment.servedFrom?.[phase])}`);
    }
  }
  return lines.join('\n');
}

/** One progress line: second t of both cohorts, and how the rule judged it. */
export function formatCohortSeconds(control: CohortSecond, experiment: CohortSecond, judgement: string): string {
  const side = (second: CohortSecond) =>
    `SPS ${String(second.sps).padStart(4)} deg ${percent(second.degraded, second.sps).padStart(5)} ` +
    `p99 ${second.p99Ms.toFixed(0).padStart(5)} ms`;
  return `t=${String(control.t).padStart(4)}s  control ${side(control)}  |  experiment ${side(experiment)}  ${judgement}`;
}

/** A page that needs nothing but itself: the table, both SPS curves, degraded share and p99. */
export function renderExperimentHtml(report: ExperimentReport): string {
  const both = (of: (second: CohortSecond) => number) => [
    { name: 'control', color: '#1f6feb', points: report.control.perSecond.map(of) },
    { name: 'experiment', color: '#d1242f', points: report.experiment.perSecond.map(of) },
  ];
  const share = (second: CohortSecond) => (second.sps > 0 ? (second.degraded / second.sps) * 100 : 0);
  const charts = [
    lineChart(
      'Stream starts per second',
      'SPS',
      both((second) => second.sps),
    ),
    lineChart('Degraded grants', '%', both(share)),
    lineChart(
      'AuthorizePlayback p99',
      'ms',
      both((second) => second.p99Ms),
    ),
  ];
  const title = report.fault !== undefined ? `Experiment: ${report.fault}` : `Chaos Kong: ${report.kong}`;
  return htmlPage(title, formatExperimentReport(report), charts, report);
}
