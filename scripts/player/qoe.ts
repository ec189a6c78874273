import { roundTo } from '../rounding';

/**
 * Quality of experience as Pensieve scores it (Mao, Netravali and Alizadeh, SIGCOMM 2017, QoE_lin):
 * Σ q(R_n) − μ · Σ T_n − Σ |q(R_n+1) − q(R_n)| with q(R) the bitrate in Mbps, T_n the rebuffering seconds
 * and μ = 4.3, beside the figures a viewer notices one by one. Start-up delay is reported on its own and
 * is not charged as rebuffering: the score judges the rule, and every rule starts on the same rungs.
 */

export const REBUFFER_PENALTY_PER_S = 4.3;
export const SWITCH_PENALTY_PER_MBPS = 1;

export interface PlaybackTotals {
  /** Bitrate of each segment played, kbps, in play order. */
  segmentKbps: readonly number[];
  startupDelayS: number;
  rebufferCount: number;
  rebufferS: number;
  playedS: number;
}

export interface QoeSummary {
  startupDelayS: number;
  rebufferCount: number;
  rebufferS: number;
  /** Rebuffering over the time after start-up: rebufferS / (playedS + rebufferS). */
  rebufferRatio: number;
  avgBitrateKbps: number;
  /** Segments whose rendition differs from the one before. */
  switches: number;
  qoe: number;
  playedS: number;
  segments: number;
}

export function pensieveQoe(segmentKbps: readonly number[], rebufferS: number): number {
  const mbps = segmentKbps.map((kbps) => kbps / 1000);
  const quality = mbps.reduce((sum, rate) => sum + rate, 0);
  const smoothness = mbps.slice(1).reduce((sum, rate, i) => sum + Math.abs(rate - mbps[i]!), 0);
  return quality - REBUFFER_PENALTY_PER_S * rebufferS - SWITCH_PENALTY_PER_MBPS * smoothness;
}

export function summarizeQoe(totals: PlaybackTotals): QoeSummary {
  const { segmentKbps, startupDelayS, rebufferCount, rebufferS, playedS } = totals;
  const afterStartS = playedS + rebufferS;
  const sum = segmentKbps.reduce((total, kbps) => total + kbps, 0);
  return {
    startupDelayS: roundTo(startupDelayS, 3),
    rebufferCount,
    rebufferS: roundTo(rebufferS, 3),
    rebufferRatio: afterStartS > 0 ? roundTo(rebufferS / afterStartS, 5) : 0,
    avgBitrateKbps: segmentKbps.length > 0 ? roundTo(sum / segmentKbps.length, 1) : 0,
    switches: segmentKbps.slice(1).filter((kbps, i) => kbps !== segmentKbps[i]).length,
    qoe: roundTo(pensieveQoe(segmentKbps, rebufferS), 3),
    playedS: roundTo(playedS, 3),
    segments: segmentKbps.length,
  };
}
