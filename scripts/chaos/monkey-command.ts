/* eslint-disable no-console -- a command-line tool: it talks to a person on a terminal */
import { controlRoomSink, controlRoomUrl } from '../control-room-events';
import { execFile } from 'node:child_process';
import { SERVICE_NAMES } from '@streamplane/contracts';
import { mulberry32 } from '@streamplane/streaming';
import { LoadUsageError, parseDuration } from '../load/options';
import { readRunFile, runFilePath } from '../run-file';
import { realTimers } from '../timers';
import {
  LOCAL_MONKEY_DEFAULT_SERVICES,
  LocalMonkey,
  type LocalMonkeyEvent,
  type LocalMonkeySummary,
  type LocalProcesses,
} from './monkey/local-monkey';

/**
 * `npm run chaos -- monkey [--every 20s] [--duration 2m] [--services billing,subtitles] [--port-offset N]
 * [--seed N]`: the Chaos Monkey against a running `npm start` (the one with that port offset, found through
 * its run file), killing one of the services with SIGKILL about every `--every` (see monkey/local-monkey.ts
 * for the schedule and the checks before each kill); npm start's supervisor restarts each one. Exit 0 when
 * it ran its course or Ctrl-C stopped it, 1 when no npm start runs (or it ended meanwhile), 2 on bad usage.
 */

export const MONKEY_USAGE =
  'usage: npm run chaos -- monkey [--every 20s] [--duration 2m] [--services billing,subtitles] [--port-offset N] [--seed N]';

export interface MonkeyOptions {
  everyMs: number;
  durationMs: number;
  services: string[];
  portOffset: number;
  seed?: number;
}

const EVERY_MS = { min: 200, max: 3_600_000 };
const MAX_DURATION_MS = 8 * 3_600_000;

export class MonkeyUsageError extends Error {}

export function parseMonkeyArguments(args: readonly string[]): MonkeyOptions {
  const options: MonkeyOptions = {
    everyMs: 20_000,
    durationMs: 120_000,
    services: [...LOCAL_MONKEY_DEFAULT_SERVICES],
    portOffset: 0,
  };
  for (let i = 0; i < args.length; i++) {
    const option = args[i]!;
    const value = args[i + 1];
    if (!['--every', '--duration', '--services', '--port-offset', '--seed'].includes(option)) {
      throw new MonkeyUsageError(`unknown option ${option}`);
    }
    if (value === undefined || value.startsWith('--')) throw new MonkeyUsageError(`${option} needs a value`);
    i++;
    if (option === '--every') options.everyMs = duration(value, option);
    else if (option === '--duration') options.durationMs = duration(value, option);
    else if (option === '--services') options.services = serviceList(value);
    else if (option === '--port-offset') options.portOffset = wholeNumber(value, option, 10_000);
    else options.seed = wholeNumber(value, option, 2 ** 32 - 1);
  }
  if (options.everyMs < EVERY_MS.min || options.everyMs > EVERY_MS.max) {
    throw new MonkeyUsageError(`--every takes 200ms to 1h (got ${options.everyMs} ms)`);
  }
  if (options.durationMs < options.everyMs || options.durationMs > MAX_DURATION_MS) {
    throw new MonkeyUsageError(`--duration takes from --every (${options.everyMs} ms) up to 8h`);
  }
  return options;
}

function duration(text: string, option: string): number {
  try {
    return parseDuration(text, option);
  } catch (error) {
    if (error instanceof LoadUsageError) throw new MonkeyUsageError(error.message);
    throw error;
  }
}

function wholeNumber(text: string, option: string, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > max)
    throw new MonkeyUsageError(`${option} takes a whole number from 0 to ${max} (got ${text})`);
  return value;
}

function serviceList(text: string): string[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(SERVICE_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new MonkeyUsageError(`--services: ${unknown.join(', ')} is not a service (${SERVICE_NAMES.join(', ')})`);
  }
  if (names.length === 0) throw new MonkeyUsageError('--services names no service');
  return [...new Set(names)];
}

/** The processes of this machine as the monkey sees them: the run file, `kill -0`, `ps`, SIGKILL. */
export function localProcesses(runFile: string): LocalProcesses {
  return {
    read: () => readRunFile(runFile),
    isAlive(pid) {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        // ESRCH: gone; EPERM: another user's process, which this user's npm start is not.
        return false;
      }
    },
    isChildRunning: (pid, parentPid, entry) =>
      new Promise((resolve, reject) => {
        execFile('ps', ['-o', 'ppid=,args=', '-p', String(pid)], { timeout: 2_000 }, (error, stdout) => {
          // ps exits 1, printing nothing, when there is no such process.
          if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
            reject(new Error('ps is not installed'));
            return;
          }
          const match = /^\s*(\d+)\s+(.*)$/.exec(stdout.trim());
          resolve(match !== null && Number(match[1]) === parentPid && match[2]!.includes(entry));
        });
      }),
    kill: (pid) => process.kill(pid, 'SIGKILL'),
  };
}

const clock = (atMs: number) => new Date(atMs).toTimeString().slice(0, 8);

function describe(event: LocalMonkeyEvent): string {
  switch (event.kind) {
    case 'killed':
      return `▶ ${clock(event.atMs)} killed ${event.service} (pid ${event.pid}) with SIGKILL`;
    case 'back':
      return `▶ ${clock(event.atMs)} ${event.service} is back (pid ${event.pid}) after ${(event.afterMs / 1000).toFixed(1)} s`;
    case 'held':
      return `▶ ${clock(event.atMs)} held: ${event.reason} (an outage: no kill until every opted-in service is up)`;
    case 'skipped':
      return `▶ ${clock(event.atMs)} skipped: ${event.reason}`;
    case 'gone':
      return `▶ ${clock(event.atMs)} ${event.reason}: start it with npm start, then run the monkey again`;
  }
}

function summarize(summary: LocalMonkeySummary): string {
  const kills = Object.entries(summary.kills);
  const total = kills.reduce((sum, [, count]) => sum + count, 0);
  const each = kills.map(([service, count]) => `${service} ${count}`).join(', ');
  const back = summary.notBack.length > 0 ? `not seen back yet: ${summary.notBack.join(', ')}` : 'every one came back';
  return `▶ chaos monkey done: ${total} kill(s)${total > 0 ? ` (${each}), ${back}` : ''}; ${summary.held} held, ${summary.skipped} skipped`;
}

export async function monkeyCommand(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let options: MonkeyOptions;
  try {
    options = parseMonkeyArguments(args);
  } catch (error) {
    if (!(error instanceof MonkeyUsageError)) throw error;
    console.error(`npm run chaos -- monkey: ${error.message}\n${MONKEY_USAGE}`);
    return 2;
  }
  const runFile = runFilePath(options.portOffset, env);
  let running: boolean;
  try {
    running = readRunFile(runFile) !== undefined;
  } catch (error) {
    console.error(`npm run chaos -- monkey: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  if (!running) {
    const offset = options.portOffset === 0 ? '' : ` -- --port-offset ${options.portOffset}`;
    console.error(`npm run chaos -- monkey: no npm start${offset} is running (no ${runFile}); start one first`);
    return 1;
  }
  const tellControlRoom = controlRoomSink(controlRoomUrl(env, options.portOffset));
  const monkey = new LocalMonkey({
    services: options.services,
    everyMs: options.everyMs,
    durationMs: options.durationMs,
    processes: localProcesses(runFile),
    timers: realTimers,
    random: options.seed === undefined ? Math.random : mulberry32(options.seed),
    onEvent: (event) => {
      (event.kind === 'gone' ? console.error : console.log)(describe(event));
      void tellControlRoom({
        source: 'monkey',
        kind: event.kind,
        service: 'service' in event ? event.service : undefined,
        text: describe(event).replace(/^▶ \S+ /, ''),
      });
    },
  });
  console.log(
    `▶ chaos monkey: one of ${options.services.join(', ')} killed about every ${options.everyMs / 1000} s for ` +
      `${options.durationMs / 1000} s (npm start's run file ${runFile}); Ctrl-C stops it`,
  );
  const interrupt = () => monkey.stop();
  process.once('SIGINT', interrupt);
  try {
    const summary = await monkey.run();
    console.log(summarize(summary));
    return summary.gone ? 1 : 0;
  } finally {
    process.removeListener('SIGINT', interrupt);
  }
}
