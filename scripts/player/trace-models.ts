import { SeededRandom } from '@streamplane/streaming';
import { traceOf, type BandwidthTrace } from './trace';

/**
 * The project's own bandwidth traces, drawn from seeded models so every machine gets the same ones:
 * 1 s samples over 10 minutes, in the shape of the public traces they stand in for. The rates are those
 * the public data sets report for such links (Norway HSDPA 3G commutes around 1 Mbps with tunnels, LTE
 * in the 3–20 Mbps range, cable steady in the tens), not measurements of our own.
 */

export const TRACE_LENGTH_S = 600;

interface TraceModel {
  description: string;
  /** The rate of second `t`, Mbps, given the previous second's and a seeded stream. */
  rate(second: { t: number; previous: number | undefined; random: SeededRandom }): number;
}

/** A log-normal random walk around `meanMbps`, pulled back towards it, clamped to [min, max]. */
function walk(meanMbps: number, volatility: number, min: number, max: number) {
  return (previous: number | undefined, random: SeededRandom): number => {
    const last = previous ?? meanMbps;
    const pulled = Math.log(last) + 0.2 * (Math.log(meanMbps) - Math.log(last)) + volatility * gaussian(random);
    return Math.min(max, Math.max(min, Math.exp(pulled)));
  };
}

/** A standard normal draw (Box–Muller). */
function gaussian(random: SeededRandom): number {
  return Math.sqrt(-2 * Math.log(1 - random.float())) * Math.cos(2 * Math.PI * random.float());
}

const commuteWalk = walk(1.2, 0.25, 0.2, 4);
const lteWalk = walk(8, 0.2, 1.5, 25);
const cableWalk = walk(25, 0.04, 18, 30);
const stepWalk = walk(1, 0.05, 0.7, 1.3);

export const TRACE_MODELS: Readonly<Record<string, TraceModel>> = {
  '3g-commute': {
    description: 'HSDPA on a train: ~1.2 Mbps, volatile, a tunnel of 5–12 s at ~0.05 Mbps about every 2 minutes',
    rate: ({ t, previous, random }) => {
      // Whether second t is in a tunnel is drawn per 120 s window, so a tunnel is one contiguous fade.
      const window = new SeededRandom(`tunnel:${Math.floor(t / 120)}`);
      const tunnelStart = window.int(20, 100);
      const tunnelLength = window.int(5, 12);
      const inTunnel = t % 120 >= tunnelStart && t % 120 < tunnelStart + tunnelLength;
      const base = commuteWalk(previous !== undefined && previous < 0.2 ? 1.2 : previous, random);
      return inTunnel ? 0.05 : base;
    },
  },
  lte: {
    description: 'LTE on the move: ~8 Mbps, 1.5–25 Mbps',
    rate: ({ previous, random }) => lteWalk(previous, random),
  },
  cable: {
    description: 'cable at home: ~25 Mbps, steady',
    rate: ({ previous, random }) => cableWalk(previous, random),
  },
  'step-down': {
    description: '6 Mbps, then 2 Mbps from 200 s, then 0.8 Mbps from 400 s (±5 %)',
    rate: ({ t, random }) => {
      const level = t < 200 ? 6 : t < 400 ? 2 : 0.8;
      return level * stepWalk(undefined, random);
    },
  },
  dropout: {
    description: '5 Mbps with the link gone (0 Mbps) for 15 s at 150 s and for 25 s at 400 s',
    rate: ({ t, random }) => {
      const down = (t >= 150 && t < 165) || (t >= 400 && t < 425);
      return down ? 0 : 5 * stepWalk(undefined, random);
    },
  },
};

export const TRACE_NAMES = Object.keys(TRACE_MODELS);

/** The project trace `name`, the same on every machine (seeded by its name). */
export function generatedTrace(name: string): BandwidthTrace {
  const model = TRACE_MODELS[name];
  if (!model) throw new Error(`no generated trace named ${name} (${TRACE_NAMES.join(', ')})`);
  const random = new SeededRandom(`trace:${name}`);
  const times: number[] = [];
  const rates: number[] = [];
  for (let t = 0; t < TRACE_LENGTH_S; t++) {
    times.push(t);
    rates.push(model.rate({ t, previous: rates.at(-1), random }));
  }
  return traceOf(name, times, rates);
}

export function generatedTraces(): BandwidthTrace[] {
  return TRACE_NAMES.map(generatedTrace);
}
