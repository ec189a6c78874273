import type { LoadOptions } from './options';
import type { LatencySummary, LoadRecorder, SecondSummary } from './recorder';

/**
 * The load report: JSON with the fields the design names (offeredRate, durationS, actions, requests, ok,
 * errors by code, overflow, sps, latencyMs by method, perSecond), and a self-contained HTML page with
 * charts of rate, stream starts and latency over time (inline SVG, nothing to fetch).
 */

export interface LoadReport {
  offeredRate: number;
  durationS: number;
  actions: number;
  requests: number;
  ok: number;
  errors: Record<string, number>;
  overflow: number;
  sps: number;
  latencyMs: Record<string, LatencySummary>;
  perSecond: SecondSummary[];
}

export function buildReport(options: LoadOptions, recorder: LoadRecorder, elapsedMs: number): LoadReport {
  const durationS = Math.round(elapsedMs) / 1000;
  return {
    offeredRate: options.rate,
    durationS,
    actions: recorder.actions,
    requests: recorder.requests,
    ok: recorder.ok,
    errors: { ...recorder.errors },
    overflow: recorder.overflow,
    sps: durationS > 0 ? Math.round((recorder.streamStarts / durationS) * 100) / 100 : 0,
    latencyMs: recorder.latency(),
    perSecond: recorder.perSecond(),
  };
}

/** The final table, as printed. */
export function formatReport(report: LoadReport): string {
  const errors = Object.entries(report.errors)
    .map(([code, count]) => `${code} ${count}`)
    .join(', ');
  const rows = Object.entries(report.latencyMs).map(
    ([method, l]) =>
      `  ${method.padEnd(24)} ${String(l.count).padStart(7)}  ${fmt(l.p50)}  ${fmt(l.p90)}  ${fmt(l.p99)}  ${fmt(l.max)}`,
  );
  return [
    `offered ${report.offeredRate}/s for ${report.durationS} s: ${report.actions} actions started, ${report.overflow} overflowed`,
    `${report.requests} RPCs: ${report.ok} OK${errors ? `, ${errors}` : ''}; ${report.sps} stream starts per second`,
    '',
    `  ${'method'.padEnd(24)} ${'count'.padStart(7)}  ${'p50 ms'.padStart(8)}  ${'p90 ms'.padStart(8)}  ${'p99 ms'.padStart(8)}  ${'max ms'.padStart(8)}`,
    ...rows,
  ].join('\n');
}

function fmt(ms: number): string {
  return ms.toFixed(1).padStart(8);
}

/** One progress line: second t of the run. */
export function formatSecond(second: SecondSummary): string {
  return (
    `t=${String(second.t).padStart(4)}s  offered ${String(second.offered).padStart(5)}/s  achieved ${String(second.achieved).padStart(6)} rpc/s  ` +
    `SPS ${String(second.sps).padStart(4)}  p50 ${second.p50.toFixed(1).padStart(7)} ms  p99 ${second.p99.toFixed(1).padStart(7)} ms  errors ${second.errors}`
  );
}

interface Series {
  name: string;
  color: string;
  points: number[];
}

/** A line chart of `series` over the run's seconds, as an SVG string. */
export function lineChart(title: string, unit: string, series: Series[], width = 720, height = 220): string {
  const pad = { left: 56, right: 16, top: 28, bottom: 28 };
  const length = Math.max(1, ...series.map((s) => s.points.length));
  const max = Math.max(1, ...series.flatMap((s) => s.points));
  const x = (i: number) => pad.left + (i / Math.max(1, length - 1)) * (width - pad.left - pad.right);
  const y = (v: number) => height - pad.bottom - (v / max) * (height - pad.top - pad.bottom);
  const lines = series.map(
    (s) =>
      `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.points.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`,
  );
  const legend = series.map(
    (s, i) =>
      `<text x="${pad.left + 8 + i * 150}" y="18" fill="${s.color}" font-size="12">■ ${escapeHtml(s.name)}</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" stroke="#999"/>`,
    `<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${height - pad.bottom}" stroke="#999"/>`,
    `<text x="4" y="${pad.top + 4}" font-size="11">${formatNumber(max)} ${escapeHtml(unit)}</text>`,
    `<text x="4" y="${height - pad.bottom}" font-size="11">0</text>`,
    `<text x="${width - pad.right - 40}" y="${height - 8}" font-size="11">${length - 1} s</text>`,
    ...lines,
    ...legend,
    '</svg>',
  ].join('\n');
}

function formatNumber(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The load report's page: the summary, charts of rate, stream starts and latency, and the JSON. */
export function renderHtml(report: LoadReport, title = 'Streamplane load'): string {
  const seconds = report.perSecond;
  const charts = [
    lineChart('Rate', 'per s', [
      { name: 'offered actions/s', color: '#888', points: seconds.map((s) => s.offered) },
      { name: 'achieved RPCs/s', color: '#1f6feb', points: seconds.map((s) => s.achieved) },
      { name: 'errors/s', color: '#d1242f', points: seconds.map((s) => s.errors) },
    ]),
    lineChart('Stream starts per second', 'SPS', [
      { name: 'SPS', color: '#1a7f37', points: seconds.map((s) => s.sps) },
    ]),
    lineChart('Latency', 'ms', [
      { name: 'p50', color: '#1f6feb', points: seconds.map((s) => s.p50) },
      { name: 'p99', color: '#bf8700', points: seconds.map((s) => s.p99) },
    ]),
  ];
  return htmlPage(title, formatReport(report), charts, report);
}

/** A page that needs nothing but itself: a title, the summary as printed, charts, and the report as JSON. */
export function htmlPage(title: string, summary: string, charts: readonly string[], report: unknown): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#1f2328}pre{background:#f6f8fa;padding:12px;overflow:auto}figure{margin:16px 0}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<pre>${escapeHtml(summary)}</pre>
${charts.map((chart) => `<figure>${chart}</figure>`).join('\n')}
<details><summary>Report (JSON)</summary><pre id="report">${escapeHtml(JSON.stringify(report, null, 2))}</pre></details>
</body></html>
`;
}
