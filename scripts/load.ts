/* eslint-disable no-console -- a command-line tool: its output is the progress and the report */
import { writeFileSync } from 'node:fs';
import { exitWith } from './command-line';
import { runLoad } from './load/generator';
import { LOAD_USAGE, parseLoadArguments, parseOrExplain, type LoadOptions } from './load/options';
import { grpcPlatformCalls, platformAddresses } from './load/platform-calls';
import { buildReport, formatReport, formatSecond, renderHtml, type LoadReport } from './load/report';
import { loadSubjects } from './load/subjects';
import { ViewerPool } from './load/viewers';
import { realTimers } from './timers';

/**
 * `npm run load`: open-loop viewer load against a running platform (`npm start`, or a port-forwarded
 * cluster through the same <SERVICE>_ADDR variables the services use). One progress line per second,
 * a final table, and the JSON and HTML reports; Ctrl-C ends the run early and still writes them.
 */

/** Seeded accounts asked about at start: enough free streams for the plays the run will hold at once. */
function accountsNeeded(options: LoadOptions): number {
  const playShare =
    (options.mix.find(([kind]) => kind === 'play')?.[1] ?? 0) /
    options.mix.reduce((sum, [, weight]) => sum + weight, 0);
  const concurrentPlays = options.rate * playShare * (options.playMs / 1000) * 1.5;
  return Math.min(1000, Math.max(20, Math.ceil(concurrentPlays)));
}

export async function loadCommand(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const options = parseOrExplain(
    () => parseLoadArguments(args),
    LOAD_USAGE,
    (text) => console.error(`npm run load: ${text}`),
  );
  if (!options) return 2;
  const addresses = platformAddresses(env);
  const calls = grpcPlatformCalls(addresses);
  const abort = new AbortController();
  const onSignal = () => {
    console.log('\nSIGINT: ending the run; plays in progress stop, then the report');
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  try {
    const country = 'US';
    console.log(`asking the platform for viewers and titles (catalog at ${addresses.catalog}) …`);
    const { titles, viewers, tokenOf } = await loadSubjects(calls, {
      accounts: accountsNeeded(options),
      country,
      secret: env.STREAMPLANE_AUTH_SECRET || undefined,
    });
    console.log(
      `${viewers.length} viewers, ${titles.length} titles; offering ${options.rate} actions/s for ${options.durationMs / 1000} s`,
    );
    const startedAt = Date.now();
    const recorder = await runLoad(options, {
      calls,
      viewers: new ViewerPool(viewers),
      titles,
      tokenOf,
      timers: realTimers,
      signal: abort.signal,
      country,
      onSecond: (t, recorded) => console.log(formatSecond(recorded.secondSummary(t))),
    });
    const report: LoadReport = buildReport(options, recorder, Math.min(Date.now() - startedAt, options.durationMs));
    console.log(`\n${formatReport(report)}`);
    if (options.reportPath) writeFileSync(options.reportPath, `${JSON.stringify(report, null, 2)}\n`);
    if (options.htmlPath) writeFileSync(options.htmlPath, renderHtml(report));
    for (const path of [options.reportPath, options.htmlPath]) if (path) console.log(`wrote ${path}`);
    return 0;
  } catch (error) {
    console.error(`npm run load: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    calls.close();
  }
}

if (require.main === module) {
  exitWith('npm run load', () => loadCommand(process.argv.slice(2), process.env));
}
