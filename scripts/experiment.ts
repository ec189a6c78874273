/* eslint-disable no-console -- a command-line tool: its output is the progress and the report */
import { writeFileSync } from 'node:fs';
import type { ServiceName } from '@streamplane/contracts';
import { exitWith } from './command-line';
import { controlRoomSink, controlRoomUrl } from './control-room-events';
import { parseOrExplain } from './load/options';
import { grpcPlatformCalls, platformAddresses, type PlatformCalls } from './load/platform-calls';
import { EXPERIMENT_USAGE, parseExperimentArguments } from './experiment/options';
import { formatExperimentReport, renderExperimentHtml, type ExperimentReport } from './experiment/report';
import { runExperiment } from './experiment/run';
import { realTimers } from './timers';

/**
 * `npm run experiment`: a ChAP-style experiment (`--fault`) or a Chaos Kong game day (`--kong`) against a
 * running platform, reached through the <SERVICE>_ADDR variables like `npm run load`. A fault needs the
 * platform started with STREAMPLANE_FAULTS=enabled (checked first). One progress line per second, the
 * table, and the JSON and HTML reports. Exit 0: it ran to the end; 3: it was aborted (by the rule or by
 * Ctrl-C), whatever else went wrong; 2: bad usage; 1: a run that did not abort but failed (platform
 * unreachable, faults ignored, a region left evacuated).
 */

export const EXPERIMENT_EXIT = { completed: 0, failed: 1, usage: 2, aborted: 3 } as const;

export async function experimentCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  connect: (addresses: Record<ServiceName, string>) => PlatformCalls = grpcPlatformCalls,
): Promise<number> {
  const options = parseOrExplain(
    () => parseExperimentArguments(args),
    EXPERIMENT_USAGE,
    (text) => console.error(`npm run experiment: ${text}`),
  );
  if (!options) return EXPERIMENT_EXIT.usage;
  const calls = connect(platformAddresses(env));
  const tellControlRoom = controlRoomSink(controlRoomUrl(env));
  const { target } = options;
  const source = target.kind === 'kong' ? 'kong' : 'experiment';
  const treatment = target.kind === 'kong' ? `evacuate ${target.region}` : `fault ${target.fault}`;
  const interrupt = new AbortController();
  const onSignal = () => {
    if (interrupt.signal.aborted) {
      console.log('already ending: waiting for plays in progress and for the treatment to be undone');
      return;
    }
    console.log('\ninterrupted: ending the experiment; the treatment is undone, then the report');
    interrupt.abort();
  };
  // Kept for the whole run (not `once`): a second Ctrl-C must not kill a game day before its region is back.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    void tellControlRoom({ source, kind: 'started', text: `${treatment} for ${options.durationMs / 1000} s` });
    const report = await runExperiment(options, {
      calls,
      timers: realTimers,
      signal: interrupt.signal,
      log: (line) => console.log(line),
      secret: env.STREAMPLANE_AUTH_SECRET || undefined,
    });
    console.log(`\n${formatExperimentReport(report)}`);
    await tellControlRoom({ source, kind: report.aborted ? 'aborted' : 'ended', text: experimentOutcome(report) });
    if (options.reportPath) writeFileSync(options.reportPath, `${JSON.stringify(report, null, 2)}\n`);
    if (options.htmlPath) writeFileSync(options.htmlPath, renderExperimentHtml(report));
    for (const path of [options.reportPath, options.htmlPath]) if (path) console.log(`wrote ${path}`);
    if (report.restored === false) console.error(`npm run experiment: ${report.kong} is still evacuated`);
    if (report.aborted) return EXPERIMENT_EXIT.aborted;
    return report.restored === false ? EXPERIMENT_EXIT.failed : EXPERIMENT_EXIT.completed;
  } catch (error) {
    console.error(`npm run experiment: ${error instanceof Error ? error.message : String(error)}`);
    return EXPERIMENT_EXIT.failed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    calls.close();
  }
}

/** One line for the control room: what the treatment did to the experiment cohort against control. */
function experimentOutcome(report: ExperimentReport): string {
  const cohort = ({ ok, plays, sps }: ExperimentReport['control']) => `${ok}/${plays} OK, ${sps} SPS`;
  const verdict = report.aborted ? `aborted: ${report.abortReason ?? 'interrupted'}` : 'ran to the end';
  return `${verdict}; control ${cohort(report.control)}, experiment ${cohort(report.experiment)}`;
}

if (require.main === module) {
  exitWith('npm run experiment', () => experimentCommand(process.argv.slice(2), process.env));
}
