/* eslint-disable no-console -- a command-line tool: its output is the progress and the QoE summary */
import { writeFileSync } from 'node:fs';
import type { ServiceName } from '@streamplane/contracts';
import { exitWith } from './command-line';
import { parseOrExplain } from './load/options';
import { grpcPlatformCalls, platformAddresses, type PlatformCalls } from './load/platform-calls';
import { edgeAddress, httpEdgeFetch, type EdgeFetch } from './player/edge-http';
import { parsePlayArguments, PLAY_USAGE } from './player/options';
import { playTitle } from './player/player';
import { formatPlaySummary, renderPlayHtml } from './player/report';
import { loadTrace } from './player/trace-files';
import { TraceFormatError } from './player/trace';
import { realTimers } from './timers';

/**
 * `npm run play`: one viewer's play of a title against a running platform (reached through the
 * <SERVICE>_ADDR variables like `npm run load`) and edge (EDGE_ADDR, default 127.0.0.1:8080, dialled for
 * every appliance host), in simulated time against a bandwidth trace, `--speed` times faster than real
 * time. Exit 0 when it played (Ctrl-C ends it early, still 0, with the report of what was played and the
 * session stopped), 1 when it could not play, 2 on bad usage.
 */

export async function playCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  connect: (addresses: Record<ServiceName, string>) => PlatformCalls = grpcPlatformCalls,
  fetch: EdgeFetch = httpEdgeFetch(() => edgeAddress(env)),
): Promise<number> {
  const options = parseOrExplain(
    () => parsePlayArguments(args),
    PLAY_USAGE,
    (text) => console.error(`npm run play: ${text}`),
  );
  if (!options) return 2;
  let trace;
  try {
    trace = loadTrace(options.trace);
  } catch (error) {
    if (!(error instanceof TraceFormatError)) throw error;
    console.error(`npm run play: --trace: ${error.message}\n${PLAY_USAGE}`);
    return 2;
  }
  const calls = connect(platformAddresses(env));
  const interrupt = abortOnSignals(() =>
    console.log('\ninterrupted: ending the play; the session is stopped, then the report'),
  );
  try {
    const { report, outcome } = await playTitle(options, {
      calls,
      fetch,
      timers: realTimers,
      trace,
      secret: env.STREAMPLANE_AUTH_SECRET || undefined,
      signal: interrupt.signal,
      log: (line) => console.log(line),
    });
    console.log(`\n${formatPlaySummary(report)}`);
    const written = [
      writeIfAsked(options.reportPath, () => `${JSON.stringify(report, null, 2)}\n`),
      writeIfAsked(options.htmlPath, () => renderPlayHtml(report, outcome.timeline)),
    ];
    for (const path of written.filter(Boolean)) console.log(`wrote ${path}`);
    return 0;
  } catch (error) {
    console.error(`npm run play: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    interrupt.dispose();
    calls.close();
  }
}

/** Writes `text()` to `path` when the option was given; the path written, if any. */
function writeIfAsked(path: string | undefined, text: () => string): string | undefined {
  if (path) writeFileSync(path, text());
  return path;
}

/** Ctrl-C or SIGTERM aborts the returned signal (once told) instead of killing the process mid-session. */
function abortOnSignals(onAbort: () => void): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => {
    onAbort();
    controller.abort();
  };
  const signals = ['SIGINT', 'SIGTERM'] as const;
  for (const name of signals) process.on(name, onSignal);
  return { signal: controller.signal, dispose: () => signals.forEach((name) => process.off(name, onSignal)) };
}

if (require.main === module) {
  exitWith('npm run play', () => playCommand(process.argv.slice(2), process.env));
}
