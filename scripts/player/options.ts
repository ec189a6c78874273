import { existsSync } from 'node:fs';
import { LoadUsageError, numberOption, parseDuration } from '../load/options';
import { ABR_RULE_NAMES, type AbrRuleName } from './abr-rules';
import type { PlayOptions } from './player';
import { TRACE_NAMES } from './trace-models';

/**
 * The options of `npm run play` and `npm run abr-eval`, each checked with a message naming it; a usage
 * error exits 2 with that line and the usage.
 */

export interface PlayCommandOptions extends PlayOptions {
  /** A generated trace's name, or a file of `time_seconds Mbps` lines. */
  trace: string;
  reportPath?: string;
  htmlPath?: string;
}

export const PLAY_USAGE =
  'usage: npm run play -- [--account acct-0001] [--profile acct-0001-p1] [--title tt00001] ' +
  '[--abr bba|bola|throughput|fixed] [--trace NAME|FILE] [--speed 20] [--duration 10m] [--country US] ' +
  '[--report play.json] [--html play.html]\n' +
  `  --trace: ${TRACE_NAMES.join(', ')}, or a file of "time_seconds Mbps" lines; --duration caps the content played`;

export const DEFAULT_PLAY: PlayCommandOptions = {
  accountId: 'acct-0001',
  profileId: 'acct-0001-p1',
  titleId: 'tt00001',
  country: 'US',
  abr: 'bba',
  trace: 'lte',
  speed: 20,
  maxDurationS: 600,
};

const MAX_SPEED = 1000;
const MAX_CONTENT_MS = 6 * 3_600_000;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class PlayUsageError extends LoadUsageError {}

export function parseAbrRule(text: string, option: string): AbrRuleName {
  if (!(ABR_RULE_NAMES as readonly string[]).includes(text)) {
    throw new PlayUsageError(`${option}: ${text} is not a rule (${ABR_RULE_NAMES.join(', ')})`);
  }
  return text as AbrRuleName;
}

function parseTraceOption(text: string): string {
  if (!TRACE_NAMES.includes(text) && !existsSync(text)) {
    throw new PlayUsageError(`--trace: ${text} is neither a generated trace (${TRACE_NAMES.join(', ')}) nor a file`);
  }
  return text;
}

function idOption(text: string, option: string): string {
  if (!ID.test(text)) throw new PlayUsageError(`${option}: ${text} is not an id`);
  return text;
}

const PLAY_SETTERS: Record<string, (options: PlayCommandOptions, value: string, option: string) => void> = {
  '--account': (o, value, option) => (o.accountId = idOption(value, option)),
  '--profile': (o, value, option) => (o.profileId = idOption(value, option)),
  '--title': (o, value, option) => (o.titleId = idOption(value, option)),
  '--country': (o, value) => {
    if (!/^[A-Z]{2}$/.test(value))
      throw new PlayUsageError(`--country takes an ISO 3166-1 alpha-2 code such as US (got ${value})`);
    o.country = value;
  },
  '--abr': (o, value, option) => (o.abr = parseAbrRule(value, option)),
  '--trace': (o, value) => (o.trace = parseTraceOption(value)),
  '--speed': (o, value, option) => (o.speed = numberOption(value, option, 1, MAX_SPEED, false)),
  '--duration': (o, value, option) => {
    const ms = parseDuration(value, option);
    if (ms < 1000 || ms > MAX_CONTENT_MS) throw new PlayUsageError('--duration must be between 1s and 6h');
    o.maxDurationS = ms / 1000;
  },
  '--report': (o, value) => (o.reportPath = value),
  '--html': (o, value) => (o.htmlPath = value),
};

export function parsePlayArguments(args: readonly string[]): PlayCommandOptions {
  const options = { ...DEFAULT_PLAY };
  // A profile follows its account unless named: acct-0002 plays as acct-0002-p1.
  let profileNamed = false;
  eachOption(args, (option, value) => {
    const set = PLAY_SETTERS[option];
    if (!set) throw new PlayUsageError(`unknown option ${option}`);
    set(options, value, option);
    profileNamed ||= option === '--profile';
  });
  if (!profileNamed) options.profileId = `${options.accountId}-p1`;
  return options;
}

export interface AbrEvalOptions {
  tracesDir?: string;
  jsonPath?: string;
}

export const ABR_EVAL_USAGE =
  'usage: npm run abr-eval -- [--traces DIR] [--json abr.json]\n' +
  `  --traces: every file in DIR is a trace of "time_seconds Mbps" lines; without it, the generated ${TRACE_NAMES.join(', ')}`;

export function parseAbrEvalArguments(args: readonly string[]): AbrEvalOptions {
  const options: AbrEvalOptions = {};
  eachOption(args, (option, value) => {
    if (option === '--traces') {
      if (!existsSync(value)) throw new PlayUsageError(`--traces: no directory ${value}`);
      options.tracesDir = value;
    } else if (option === '--json') {
      options.jsonPath = value;
    } else {
      throw new PlayUsageError(`unknown option ${option}`);
    }
  });
  return options;
}

function eachOption(args: readonly string[], take: (option: string, value: string) => void): void {
  for (let i = 0; i < args.length; i += 2) {
    const option = args[i]!;
    const value = args[i + 1];
    if (!option.startsWith('--')) throw new PlayUsageError(`unexpected argument ${option}`);
    if (value === undefined) throw new PlayUsageError(`${option} needs a value`);
    take(option, value);
  }
}
