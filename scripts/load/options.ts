/**
 * `npm run load -- [--rate 20] [--duration 30s] [--mix home=3,browse=3,play=2] [--max-in-flight 500]
 * [--seed N] [--report load.json] [--html load.html] [--play-seconds 20]`: the options, parsed and checked
 * with a clear message each, and their bounds (every run is bounded in time and count).
 */

export const ACTIONS = ['home', 'browse', 'play'] as const;
export type ActionKind = (typeof ACTIONS)[number];

export type Mix = ReadonlyArray<readonly [ActionKind, number]>;

export interface LoadOptions {
  /** Viewer actions started per second (an app open, a browse, a play with its heartbeats and stop). */
  rate: number;
  durationMs: number;
  mix: Mix;
  /** Actions in flight at most; an arrival beyond it is counted as overflow, never queued. */
  maxInFlight: number;
  seed: number;
  reportPath?: string;
  htmlPath?: string;
  /** How long a play lasts between AuthorizePlayback and StopPlayback, heartbeating meanwhile. */
  playMs: number;
}

export const LOAD_USAGE =
  'usage: npm run load -- [--rate 20] [--duration 30s] [--mix home=3,browse=3,play=2] [--max-in-flight 500] ' +
  '[--seed N] [--report load.json] [--html load.html] [--play-seconds 20]';

export const DEFAULT_LOAD: LoadOptions = {
  rate: 20,
  durationMs: 30_000,
  mix: [
    ['home', 3],
    ['browse', 3],
    ['play', 2],
  ],
  maxInFlight: 500,
  seed: 1,
  playMs: 20_000,
};

/** Bounds that keep a run on one machine finite whatever it is asked. */
const MAX_RATE = 10_000;
const MAX_DURATION_MS = 3_600_000;
const MAX_IN_FLIGHT = 100_000;

export class LoadUsageError extends Error {}

/**
 * A command's options from `parse`; on a usage error, hands `explain` the one-line reason and the usage
 * and answers undefined (the command then exits 2). Other errors are not the user's: they propagate.
 */
export function parseOrExplain<T>(parse: () => T, usage: string, explain: (text: string) => void): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof LoadUsageError)) throw error;
    explain(`${error.message}\n${usage}`);
    return undefined;
  }
}

/** "30s", "2m", "500ms", "1h" or a bare number of seconds, in milliseconds. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new LoadUsageError(`${option} takes a duration such as 30s, 2m or 500ms (got ${text})`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(match[1]) * unit);
}

/** "home=3,browse=3,play=2": each action a viewer does, with its weight. */
export function parseMix(text: string): Mix {
  const entries = text.split(',').map((part) => {
    const [name, weight] = part.split('=');
    if (!ACTIONS.includes(name as ActionKind)) {
      throw new LoadUsageError(`--mix: ${name} is not an action (${ACTIONS.join(', ')})`);
    }
    const value = Number(weight);
    if (!Number.isFinite(value) || value < 0) {
      throw new LoadUsageError(`--mix: the weight of ${name} must be a number ≥ 0 (got ${weight ?? 'nothing'})`);
    }
    return [name as ActionKind, value] as const;
  });
  if (new Set(entries.map(([name]) => name)).size !== entries.length) {
    throw new LoadUsageError('--mix names an action twice');
  }
  if (!entries.some(([, weight]) => weight > 0)) throw new LoadUsageError('--mix needs one weight above 0');
  return entries;
}

/** The value of a numeric option, checked against its bounds. */
export function numberOption(
  text: string | undefined,
  option: string,
  min: number,
  max: number,
  integer: boolean,
): number {
  const value = Number(text);
  if (
    text === undefined ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    throw new LoadUsageError(
      `${option} takes ${integer ? 'a whole number' : 'a number'} from ${min} to ${max} (got ${text ?? 'nothing'})`,
    );
  }
  return value;
}

export function parseLoadArguments(args: readonly string[]): LoadOptions {
  const options: LoadOptions = { ...DEFAULT_LOAD };
  for (let i = 0; i < args.length; i++) {
    const option = args[i]!;
    const value = (): string => {
      const next = args[++i];
      if (next === undefined) throw new LoadUsageError(`${option} needs a value`);
      return next;
    };
    switch (option) {
      case '--rate':
        options.rate = numberOption(value(), option, 0.1, MAX_RATE, false);
        break;
      case '--duration':
        options.durationMs = parseDuration(value(), option);
        if (options.durationMs < 1 || options.durationMs > MAX_DURATION_MS) {
          throw new LoadUsageError(`--duration must be between 1ms and 1h`);
        }
        break;
      case '--mix':
        options.mix = parseMix(value());
        break;
      case '--max-in-flight':
        options.maxInFlight = numberOption(value(), option, 1, MAX_IN_FLIGHT, true);
        break;
      case '--seed':
        options.seed = numberOption(value(), option, 0, 2 ** 32 - 1, true);
        break;
      case '--report':
        options.reportPath = value();
        break;
      case '--html':
        options.htmlPath = value();
        break;
      case '--play-seconds':
        options.playMs = numberOption(value(), option, 0, 3600, false) * 1000;
        break;
      default:
        throw new LoadUsageError(`unknown option ${option}`);
    }
  }
  return options;
}
