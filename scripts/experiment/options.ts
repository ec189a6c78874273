import { SERVICE_NAMES } from '@streamplane/contracts';
import { InvalidArgumentError, parseFaults } from '@streamplane/platform';
import { NETWORK_REGIONS, networkRegion } from '@streamplane/streaming';
import { LoadUsageError, numberOption, parseDuration } from '../load/options';

/**
 * `npm run experiment -- --fault "<x-streamplane-fault>" | --kong <region> [--rate 40] [--duration 60s]
 * [--abort-threshold 0.1] [--abort-after 5s] [--seed N] [--report exp.json] [--html exp.html]`: the
 * options, each checked at start with a message naming it. `--rate` is the total: each cohort is offered
 * half of it.
 */

export type ExperimentTarget = { kind: 'fault'; fault: string } | { kind: 'kong'; region: string };

export interface ExperimentOptions {
  target: ExperimentTarget;
  /** Plays started per second by both cohorts together; each cohort is offered half. */
  rate: number;
  durationMs: number;
  /** Relative shortfall of the experiment's SPS below control's that counts towards an abort. */
  abortThreshold: number;
  /** Judged seconds in a row of shortfall that abort the experiment. */
  abortAfterS: number;
  seed: number;
  reportPath?: string;
  htmlPath?: string;
}

export const EXPERIMENT_USAGE =
  'usage: npm run experiment -- (--fault "<service>=<status|latency ms>[,…]" | --kong <region>) [--rate 40] ' +
  '[--duration 60s] [--abort-threshold 0.1] [--abort-after 5s] [--seed N] [--report exp.json] [--html exp.html]\n' +
  '  --rate is the total plays per second; the control and the experiment cohort are offered half each\n' +
  '  --fault needs the platform started with STREAMPLANE_FAULTS=enabled (checked before any load)';

/** A usage error of `npm run experiment`: exit 2 with the message and the usage. */
export class ExperimentUsageError extends LoadUsageError {}

const DEFAULTS = { rate: 40, durationMs: 60_000, abortThreshold: 0.1, abortAfterS: 5, seed: 1 };
/** Bounds that keep an experiment on one machine finite whatever it is asked. */
const MAX_RATE = 2_000;
const MIN_DURATION_MS = 2_000;
const MAX_DURATION_MS = 3_600_000;

/** The fault every experiment-cohort call carries: the x-streamplane-fault syntax, naming real services. */
export function parseFaultOption(text: string): string {
  let faults;
  try {
    faults = parseFaults(text);
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    throw new ExperimentUsageError(`--fault: ${error.reason}`);
  }
  if (faults.length === 0) throw new ExperimentUsageError('--fault names no fault');
  const unknown = faults.find((fault) => !(SERVICE_NAMES as readonly string[]).includes(fault.service));
  if (unknown) {
    throw new ExperimentUsageError(`--fault: ${unknown.service} is not a service (${SERVICE_NAMES.join(', ')})`);
  }
  return text.trim();
}

function parseRegionOption(text: string): string {
  if (!networkRegion(text)) {
    throw new ExperimentUsageError(
      `--kong: ${text} is not a region (${NETWORK_REGIONS.map((region) => region.name).join(', ')})`,
    );
  }
  return text;
}

type Parsed = Partial<ExperimentOptions> & { targets: ExperimentTarget[] };

const SETTERS: Record<string, (parsed: Parsed, value: string, option: string) => void> = {
  '--fault': (parsed, value) => parsed.targets.push({ kind: 'fault', fault: parseFaultOption(value) }),
  '--kong': (parsed, value) => parsed.targets.push({ kind: 'kong', region: parseRegionOption(value) }),
  '--rate': (parsed, value, option) => (parsed.rate = numberOption(value, option, 1, MAX_RATE, false)),
  '--duration': (parsed, value, option) => {
    parsed.durationMs = parseDuration(value, option);
    if (parsed.durationMs < MIN_DURATION_MS || parsed.durationMs > MAX_DURATION_MS) {
      throw new ExperimentUsageError('--duration must be between 2s and 1h');
    }
  },
  '--abort-threshold': (parsed, value, option) => (parsed.abortThreshold = numberOption(value, option, 0, 0.99, false)),
  '--abort-after': (parsed, value, option) => {
    const ms = parseDuration(value, option);
    // The cohorts are compared once a second, so shortfall is counted in whole seconds.
    if (ms % 1000 !== 0 || ms < 1000 || ms > MAX_DURATION_MS) {
      throw new ExperimentUsageError(`--abort-after takes whole seconds from 1s to 1h (got ${value})`);
    }
    parsed.abortAfterS = ms / 1000;
  },
  '--seed': (parsed, value, option) => (parsed.seed = numberOption(value, option, 0, 2 ** 32 - 1, true)),
  '--report': (parsed, value) => (parsed.reportPath = value),
  '--html': (parsed, value) => (parsed.htmlPath = value),
};

export function parseExperimentArguments(args: readonly string[]): ExperimentOptions {
  const parsed: Parsed = { targets: [] };
  for (let i = 0; i < args.length; i += 2) {
    const option = args[i]!;
    const set = SETTERS[option];
    if (!set) throw new ExperimentUsageError(`unknown option ${option}`);
    const value = args[i + 1];
    if (value === undefined) throw new ExperimentUsageError(`${option} needs a value`);
    set(parsed, value, option);
  }
  const { targets, ...given } = parsed;
  if (targets.length !== 1) throw new ExperimentUsageError('name exactly one of --fault or --kong');
  return { ...DEFAULTS, ...given, target: targets[0]! };
}
