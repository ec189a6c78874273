import { htmlPage, lineChart } from '../load/report';
import { ABR_RULE_NAMES } from './abr-rules';
import type { AbrEvaluation, TargetCheck, TracePlay } from './abr-evaluation';
import type { PlayReport } from './player';
import type { TimelinePoint } from './playback-simulation';

/**
 * What `npm run play` and `npm run abr-eval` print and write: the QoE summary of one play, its HTML page
 * (bitrate and throughput, and buffer, over simulated seconds), and the evaluation's table per rule.
 */

export function formatPlaySummary(report: PlayReport): string {
  return [
    `${report.titleId} with ${report.abr} on trace ${report.trace}: ${report.segments} segments, ${report.playedS} s played`,
    `  start-up delay   ${report.startupDelayS} s`,
    `  rebuffering      ${report.rebufferCount} event(s), ${report.rebufferS} s, ratio ${report.rebufferRatio}`,
    `  average bitrate  ${report.avgBitrateKbps} kbps, ${report.switches} switch(es)`,
    `  QoE (Pensieve)   ${report.qoe}`,
    `  CDN              ${report.applianceIds.join(' → ') || 'none'}, ${report.failovers} failover(s)`,
  ].join('\n');
}

export interface SecondSample {
  t: number;
  bitrateKbps: number;
  bufferS: number;
  traceKbps: number;
}

/** The timeline at each whole simulated second: the buffer interpolated between events, the rest as it stood. */
export function perSecond(timeline: readonly TimelinePoint[]): SecondSample[] {
  const end = Math.floor(timeline.at(-1)?.tS ?? 0);
  const samples: SecondSample[] = [];
  let index = 0;
  for (let t = 0; t <= end; t++) {
    while (index + 1 < timeline.length && timeline[index + 1]!.tS <= t) index++;
    const point = timeline[index]!;
    const next = timeline[index + 1];
    const share = next && next.tS > point.tS ? (t - point.tS) / (next.tS - point.tS) : 0;
    const bufferS = next ? point.bufferS + share * (next.bufferS - point.bufferS) : point.bufferS;
    samples.push({ t, bitrateKbps: point.bitrateKbps, bufferS: Math.max(0, bufferS), traceKbps: point.traceKbps });
  }
  return samples;
}

export function renderPlayHtml(report: PlayReport, timeline: readonly TimelinePoint[]): string {
  const seconds = perSecond(timeline);
  const charts = [
    lineChart('Bitrate and throughput', 'kbps', [
      { name: 'bitrate kbps', color: '#1f6feb', points: seconds.map((s) => s.bitrateKbps) },
      { name: 'trace kbps', color: '#888', points: seconds.map((s) => s.traceKbps) },
    ]),
    lineChart('Buffer', 's', [{ name: 'buffer s', color: '#1a7f37', points: seconds.map((s) => s.bufferS) }]),
  ];
  return htmlPage(`Streamplane play: ${report.titleId}`, formatPlaySummary(report), charts, report);
}

/** The table per rule, then each play, then the target's verdict. */
export function formatEvaluation(evaluation: AbrEvaluation, plays: readonly TracePlay[], target: TargetCheck): string {
  const header = `  ${'rule'.padEnd(11)} ${'mean QoE'.padStart(9)}  ${'rebuffer ratio'.padStart(14)}  ${'avg kbps'.padStart(9)}  ${'switches'.padStart(8)}`;
  const rows = ABR_RULE_NAMES.map((rule) => {
    const f = evaluation[rule];
    return `  ${rule.padEnd(11)} ${f.meanQoe.toFixed(1).padStart(9)}  ${f.rebufferRatio.toFixed(5).padStart(14)}  ${f.avgBitrateKbps.toFixed(0).padStart(9)}  ${f.switches.toFixed(1).padStart(8)}`;
  });
  const perTrace = plays.map(
    ({ rule, trace, outcome: o }) =>
      `  ${rule.padEnd(11)} ${trace.padEnd(16)} QoE ${o.qoe.toFixed(1).padStart(8)}  rebuffer ${o.rebufferS.toFixed(2).padStart(7)} s in ${o.rebufferCount}  ${o.avgBitrateKbps.toFixed(0).padStart(5)} kbps  ${o.switches} switches`,
  );
  const traces = new Set(plays.map((play) => play.trace)).size;
  return [
    `every rule over ${traces} trace(s):`,
    header,
    ...rows,
    '',
    'each play:',
    ...perTrace,
    '',
    `target (bba and bola rebuffer less than throughput at no worse than 10 % lower average bitrate): ${target.met ? 'met' : 'NOT met'}`,
    ...target.lines.map((line) => `  ${line}`),
  ].join('\n');
}
