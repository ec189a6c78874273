import { roundTo } from '../rounding';

/**
 * Bandwidth traces in the public `time_seconds  Mbps` line format of the FCC and Norway HSDPA traces (as
 * Pensieve's simulator reads them): sample i holds its rate from its own time until the next sample's, the
 * last for the median gap between samples, and a trace shorter than a play repeats from its start, as
 * Pensieve's does. Times are made relative to the first sample so that a trace cut from a longer log plays
 * from its beginning.
 */

export interface BandwidthTrace {
  name: string;
  /** Start of each piece, seconds from the trace's start: 0 first, strictly increasing. */
  startsS: readonly number[];
  /** Rate of each piece, Mbps (10^6 bit/s), ≥ 0. */
  mbps: readonly number[];
  /** Length of one pass over the trace, seconds; past it the trace repeats. */
  periodS: number;
}

export class TraceFormatError extends Error {}

/** Pieces per trace at most: a day at 1 s steps, three times over, so that a wrong file fails fast. */
const MAX_SAMPLES = 300_000;

/** A trace from its text; `source` names it in errors ("3g.log: line 4: …"). Blank lines and `#` comments are skipped. */
export function parseTrace(name: string, text: string, source = name): BandwidthTrace {
  const times: number[] = [];
  const mbps: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.replace(/#.*/, '').trim();
    if (line === '') continue;
    const fail = (reason: string) => new TraceFormatError(`${source}: line ${index + 1}: ${reason} (got "${line}")`);
    const fields = line.split(/\s+/);
    if (fields.length !== 2) throw fail('expected two numbers, time_seconds and Mbps');
    const [time, rate] = fields.map(Number) as [number, number];
    if (!Number.isFinite(time) || !Number.isFinite(rate)) throw fail('time_seconds and Mbps must be numbers');
    if (rate < 0) throw fail('Mbps must be ≥ 0');
    if (times.length > 0 && time <= times.at(-1)!) throw fail('time_seconds must increase from line to line');
    if (times.length === MAX_SAMPLES) throw fail(`a trace holds at most ${MAX_SAMPLES} samples`);
    times.push(time);
    mbps.push(rate);
  }
  if (times.length === 0) throw new TraceFormatError(`${source}: no samples`);
  return traceOf(name, times, mbps, source);
}

/** A trace from samples (times in seconds, any origin); checked as parseTrace checks a file. */
export function traceOf(
  name: string,
  times: readonly number[],
  mbps: readonly number[],
  source = name,
): BandwidthTrace {
  const startsS = times.map((time) => time - times[0]!);
  const gaps = startsS.slice(1).map((start, i) => start - startsS[i]!);
  const lastPieceS = gaps.length > 0 ? median(gaps) : 1;
  const periodS = startsS.at(-1)! + lastPieceS;
  if (!mbps.some((rate) => rate > 0))
    throw new TraceFormatError(`${source}: every sample is 0 Mbps, nothing could be downloaded`);
  return { name, startsS, mbps, periodS };
}

/** The trace as a file: one `time_seconds Mbps` line per sample. */
export function formatTrace(trace: BandwidthTrace): string {
  return trace.startsS.map((start, i) => `${roundTo(start, 3)} ${roundTo(trace.mbps[i]!, 4)}`).join('\n') + '\n';
}

/** The rate at `atS` seconds into the play, Mbps. */
export function rateAt(trace: BandwidthTrace, atS: number): number {
  return trace.mbps[pieceAt(trace, atS % trace.periodS)]!;
}

/**
 * Seconds needed to move `bits` starting at `startS`: the trace's piecewise-constant rate integrated until
 * the bits are through. Finite because a trace always has one piece above 0 Mbps; each step consumes a
 * piece, and a pass over the trace moves at least its capacity, so the steps are bounded.
 */
export function transferSeconds(trace: BandwidthTrace, startS: number, bits: number): number {
  if (bits <= 0) return 0;
  const passBits = trace.mbps.reduce((sum, rate, i) => sum + rate * 1e6 * pieceLength(trace, i), 0);
  const wholePasses = Math.max(0, Math.floor(bits / passBits) - 1);
  let remaining = bits - wholePasses * passBits;
  let elapsed = wholePasses * trace.periodS;
  let offset = startS % trace.periodS;
  let piece = pieceAt(trace, offset);
  const maxSteps = 3 * trace.mbps.length + 2;
  for (let step = 0; step <= maxSteps; step++) {
    const pieceEnd = trace.startsS[piece]! + pieceLength(trace, piece);
    const available = pieceEnd - offset;
    const rateBits = trace.mbps[piece]! * 1e6;
    if (rateBits * available >= remaining) return elapsed + remaining / rateBits;
    remaining -= rateBits * available;
    elapsed += available;
    piece = (piece + 1) % trace.mbps.length;
    offset = trace.startsS[piece]!;
  }
  throw new Error(`transfer of ${bits} bits over trace ${trace.name} did not finish`); // unreachable: see above
}

function pieceLength(trace: BandwidthTrace, piece: number): number {
  const next = piece + 1 < trace.startsS.length ? trace.startsS[piece + 1]! : trace.periodS;
  return next - trace.startsS[piece]!;
}

/** The piece holding `offsetS` (within one pass): binary search over the starts. */
function pieceAt(trace: BandwidthTrace, offsetS: number): number {
  let low = 0;
  let high = trace.startsS.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (trace.startsS[middle]! <= offsetS) low = middle;
    else high = middle - 1;
  }
  return low;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
