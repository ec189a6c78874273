/* eslint-disable no-console -- a command-line tool: its output is the table */
import { writeFileSync } from 'node:fs';
import { exitWith } from './command-line';
import { parseOrExplain } from './load/options';
import { checkTarget, evaluationOf, playEveryRule } from './player/abr-evaluation';
import { ABR_EVAL_USAGE, parseAbrEvalArguments } from './player/options';
import { formatEvaluation } from './player/report';
import { TraceFormatError } from './player/trace';
import { loadTraceDirectory } from './player/trace-files';
import { generatedTraces } from './player/trace-models';

/**
 * `npm run abr-eval`: every ABR rule over every trace, in process (no platform, no edge), the table per
 * rule and whether the target is met. Exit 0 when it ran (whatever the verdict: it is a
 * measurement), 1 when a trace could not be read, 2 on bad usage.
 */

export function abrEvalCommand(args: readonly string[]): number {
  const options = parseOrExplain(
    () => parseAbrEvalArguments(args),
    ABR_EVAL_USAGE,
    (text) => console.error(`npm run abr-eval: ${text}`),
  );
  if (!options) return 2;
  let traces;
  try {
    traces = options.tracesDir ? loadTraceDirectory(options.tracesDir) : generatedTraces();
  } catch (error) {
    if (!(error instanceof TraceFormatError || (error as NodeJS.ErrnoException).code)) throw error;
    console.error(`npm run abr-eval: ${(error as Error).message}`);
    return 1;
  }
  const plays = playEveryRule(traces);
  const evaluation = evaluationOf(plays);
  console.log(formatEvaluation(evaluation, plays, checkTarget(evaluation)));
  if (options.jsonPath) {
    writeFileSync(options.jsonPath, `${JSON.stringify(evaluation, null, 2)}\n`);
    console.log(`wrote ${options.jsonPath}`);
  }
  return 0;
}

if (require.main === module) {
  exitWith('npm run abr-eval', async () => abrEvalCommand(process.argv.slice(2)));
}
