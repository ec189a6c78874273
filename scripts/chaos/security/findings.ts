import { labelValue } from '../monkey/decision-metrics';

/**
 * What the Security Monkey reports: findings, each with a severity and a fix hint, counted by severity,
 * and the threshold (`--fail-on`) at which the run fails. The JSON fields are fixed by the design page.
 */

export const SEVERITIES = ['high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type FailOn = Severity | 'none';

export interface Finding {
  rule: string;
  severity: Severity;
  /** What the finding is about: `pod/catalog-7d9…`, `role/streamplane-chaos-monkey`, `edge`, … */
  subject: string;
  message: string;
  fix: string;
}

export interface SecurityReport {
  findings: Finding[];
  counts: Record<Severity, number>;
}

const RANK: Record<Severity, number> = { high: 3, medium: 2, low: 1 };

/** Findings most severe first, then by rule and subject, so two runs over the same state read alike. */
export function securityReport(findings: readonly Finding[]): SecurityReport {
  const sorted = [...findings].sort(
    (a, b) => RANK[b.severity] - RANK[a.severity] || a.rule.localeCompare(b.rule) || a.subject.localeCompare(b.subject),
  );
  const counts = { high: 0, medium: 0, low: 0 };
  for (const finding of sorted) counts[finding.severity] += 1;
  return { findings: sorted, counts };
}

/** Whether some finding is at least as severe as `failOn` (never for `none`). */
export function reachesFailOn(report: SecurityReport, failOn: FailOn): boolean {
  if (failOn === 'none') return false;
  return report.findings.some((finding) => RANK[finding.severity] >= RANK[failOn]);
}

/** The findings as a fixed-width table for a terminal, with the fix on its own line under each. */
export function findingsTable(report: SecurityReport): string {
  if (report.findings.length === 0) return 'no findings';
  const rows = report.findings.map((finding) => [finding.severity.toUpperCase(), finding.rule, finding.subject]);
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length), 8));
  const pad = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ');
  const lines = [pad(['SEVERITY', 'RULE', 'SUBJECT']) + '  MESSAGE'];
  report.findings.forEach((finding, index) => {
    lines.push(`${pad(rows[index]!)}  ${finding.message}`);
    lines.push(`${' '.repeat(widths[0]! + 2)}fix: ${finding.fix}`);
  });
  const { high, medium, low } = report.counts;
  lines.push(`${report.findings.length} finding(s): ${high} high, ${medium} medium, ${low} low`);
  return lines.join('\n');
}

export const FINDINGS_METRIC = 'streamplane_security_findings_total';

/**
 * The run's findings counted by rule and severity, in the Prometheus text format: a counter of one run
 * (each run starts from zero), which a textfile collector exposes until the next run replaces it.
 */
export function findingsExposition(report: SecurityReport): string {
  const counts = new Map<string, number>();
  for (const { rule, severity } of report.findings) {
    const labels = `rule=${labelValue(rule)},severity=${labelValue(severity)}`;
    counts.set(labels, (counts.get(labels) ?? 0) + 1);
  }
  const lines = [
    `# HELP ${FINDINGS_METRIC} Findings of the Security Monkey's last run, by rule and severity.`,
    `# TYPE ${FINDINGS_METRIC} counter`,
    ...[...counts]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([labels, count]) => `${FINDINGS_METRIC}{${labels}} ${count}`),
  ];
  return `${lines.join('\n')}\n`;
}
