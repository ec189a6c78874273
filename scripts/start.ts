/* eslint-disable no-console -- this is the interactive launcher: it talks to a person on a terminal */
import { CONTROL_ROOM, EDGE, SERVICES, type ServiceName } from '@streamplane/contracts';
import { OPERATOR_IDENTITY, TLS_FILES } from '@streamplane/platform';
import { LOCAL_DEVELOPMENT_SECRET, signAccountToken } from '@streamplane/streaming';
import { Platform, START_ORDER } from './platform';
import { RunFile, runFilePath } from './run-file';
import { serviceNodeArguments } from './service-command';
import { EXIT_BAD_CONFIG, FatalStartError, type SupervisorEvent } from './supervisor';

/**
 * `npm start [-- --port-offset N] [--json-logs]`: all seven services, the edge and the control room as
 * supervised processes, each
 * started once the services it calls answer, logs of all of them in one stream (one line each, prefixed by
 * the service), then a table of what runs where and how to call it. A service that dies is reported with
 * its last lines and restarted with a growing backoff; a configuration error or a taken port is reported
 * in one line and stops everything. Ctrl-C stops everything at any moment, each service draining its
 * in-flight calls. While it runs, a run file (run-file.ts) lists each service's process for
 * `npm run chaos -- monkey`.
 */

const USAGE = 'usage: npm start [-- --port-offset N] [--json-logs]';
const COMPONENTS = [CONTROL_ROOM.name, ...START_ORDER, EDGE.name] as const;
const WIDTH = Math.max(...COMPONENTS.map((name) => name.length));

interface StartOptions {
  portOffset: number;
  jsonLogs: boolean;
}

export function parseStartArguments(args: readonly string[], env: NodeJS.ProcessEnv): StartOptions {
  const options: StartOptions = { portOffset: 0, jsonLogs: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--json-logs') options.jsonLogs = true;
    else if (arg === '--port-offset') {
      const value = Number(args[++i]);
      if (!Number.isInteger(value) || value < 0 || value > 10_000) {
        throw new UsageError(`--port-offset takes a whole number from 0 to 10000 (got ${args[i] ?? 'nothing'})`);
      }
      options.portOffset = value;
    } else throw new UsageError(`unknown option ${arg}`);
  }
  for (const variable of ['GRPC_PORT', 'METRICS_PORT', 'HEALTH_PORT']) {
    if (env[variable] !== undefined) {
      throw new UsageError(
        `${variable} is set, but npm start gives each service its own port: use --port-offset N to move them all`,
      );
    }
  }
  return options;
}

class UsageError extends Error {}

function prefix(service: string): string {
  return `${service.padEnd(WIDTH)} |`;
}

/** A JSON log line as `time level msg key=value …`, which reads well when seven services interleave. */
function readable(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { time, level, msg, service: _service, ...fields } = entry;
  const details = Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${String(time ?? '').slice(11, 23)} ${String(level ?? '').padEnd(5)} ${String(msg ?? '')} ${details}`.trimEnd();
}

function howToCall(platform: Platform): string {
  const token = signAccountToken('acct-0001', process.env.STREAMPLANE_AUTH_SECRET || LOCAL_DEVELOPMENT_SECRET);
  const rows = COMPONENTS.map((name) => {
    const serves =
      name === CONTROL_ROOM.name
        ? `traces OTLP :${platform.otlpPort()}  the page: http://${platform.address(name)}/`
        : `metrics :${platform.metricsPort(name)}/metrics  ${name === EDGE.name ? 'HTTP/1.1 and h2c (EDGE_ADDR)' : SERVICES[name].grpcService}`;
    return `  ${name.padEnd(WIDTH)}  ${platform.state(name).padEnd(11)}  ${platform.address(name)}  ${serves}`;
  });
  const ca = platform.certificateAuthority;
  const operator = ca?.identityDir(OPERATOR_IDENTITY);
  // buf curl verifies the services' certificates (valid for 127.0.0.1) and presents an operator's.
  const curl = operator
    ? `npx buf curl --protocol grpc --cacert $TLS/${TLS_FILES.ca} --cert $TLS/${TLS_FILES.cert} --key $TLS/${TLS_FILES.key}`
    : 'npx buf curl --protocol grpc --http2-prior-knowledge';
  const at = (name: ServiceName) => `${operator ? 'https' : 'http'}://${platform.address(name)}`;
  const transport = operator
    ? `mutual TLS, as operator, with a certificate from the development CA in ${ca!.dir};
npm run certs -- --identity NAME [--out DIR] issues one for a service, edge, app or operator`
    : 'buf curl ships with the project; grpcurl -plaintext takes the same calls';
  const tlsVariable = operator ? `\n  TLS=${operator}` : '';
  const play =
    '{"profile_id":"acct-0001-p1","title_id":"tt00001","device":{"device_id":"tv-1","max_height":2160,"supports_hdr":true,"codecs":["h264","hevc"]},"client":{"country":"US","asn":20250}}';
  const notServing = COMPONENTS.filter((name) => platform.state(name) === 'NOT_SERVING');
  return `
Streamplane is up${notServing.length > 0 ? ` (NOT_SERVING: ${notServing.join(', ')}; see their logs above)` : ''}:

${rows.join('\n')}

Browse (${transport}):
${tlsVariable}
  ${curl} -d '{"query":"crown","country":"US"}' \\
    ${at('catalog')}/streamplane.catalog.v1.CatalogService/SearchTitles

Home rows:

  ${curl} -d '{"profile_id":"acct-0001-p1","country":"US"}' \\
    ${at('recommendations')}/streamplane.recommendations.v1.RecommendationsService/GetHomeRows

Hit play (a token for acct-0001, valid for a day; npm run --silent token -- <account> makes others):

  TOKEN=${token}
  ${curl} -H "authorization: Bearer $TOKEN" \\
    -d '${play}' \\
    ${at('playback-authorization')}/streamplane.playback.v1.PlaybackAuthorizationService/AuthorizePlayback

Stream from the edge (EDGE_ADDR=${platform.address(EDGE.name)}): take a URL from cdn_urls and send its host name:

  curl -H 'Host: <appliance_id>.oca.streamplane.example' 'http://${platform.address(EDGE.name)}/titles/tt00001?expires=…&sig=…'

See it: the control room at http://${platform.address(CONTROL_ROOM.name)}/ shows health, traffic, breakers and the
last traces${process.env.OTEL_EXPORTER_OTLP_ENDPOINT ? ` (traces go to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}, as OTEL_EXPORTER_OTLP_ENDPOINT says)` : ''}; paste the x-trace-id a call answered (buf curl -v shows it) into its search box.

Press Ctrl-C to stop.`;
}

/** What a person is told of a supervisor event (undefined: nothing worth a line). */
function describe(event: SupervisorEvent, jsonLogs: boolean): string | undefined {
  switch (event.kind) {
    case 'line':
      return jsonLogs ? undefined : `${prefix(event.service)} ${readable(event.line)}`;
    case 'starting':
      return event.attempt === 1
        ? `▶ ${event.service}: starting`
        : `▶ ${event.service}: starting again (attempt ${event.attempt})`;
    case 'health':
      return `▶ ${event.service} is ${event.health}`;
    case 'crashed':
      return [
        `▶ ${event.service} died (${event.signal ?? `exit code ${event.code}`}); its last lines:`,
        ...event.lastLines.map((line) => `    ${readable(line)}`),
      ].join('\n');
    case 'restarting':
      return `▶ ${event.service}: restarting in ${event.inMs} ms`;
    case 'failed':
    case 'stopped':
      return undefined; // reported once, in one line, by main()
  }
}

async function main(): Promise<number> {
  let options: StartOptions;
  try {
    options = parseStartArguments(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`▶ npm start: ${error.message}\n${USAGE}`);
    return 2;
  }
  // With --json-logs, stdout carries the services' JSON lines only (for jq); the narrative goes to stderr.
  const say = options.jsonLogs ? console.error : console.log;
  const stoppedCleanly: string[] = [];
  // Written once a service is up, so a launch refused for taken ports never touches the run file of the
  // npm start that holds them.
  const runFile = new RunFile(runFilePath(options.portOffset, process.env), {
    supervisorPid: process.pid,
    portOffset: options.portOffset,
  });
  process.once('exit', () => runFile.remove());
  let platform: Platform;
  // `platform` is set before any service can answer health, which is when the tracker first asks it.
  const trackRun = runFile.tracker((service) => ({
    pid: platform.pid(service as ServiceName),
    entry: serviceNodeArguments(service).at(-1)!,
  }));
  try {
    platform = await Platform.launch({
      ports: options.portOffset === 0 ? 'design' : { offset: options.portOffset },
      withEdge: true,
      withControlRoom: true,
      env: process.env,
      onEvent: (event) => {
        trackRun(event);
        if (event.kind === 'line' && options.jsonLogs) console.log(event.line);
        if (event.kind === 'stopped') stoppedCleanly.push(event.service);
        const message = describe(event, options.jsonLogs);
        if (message) say(message);
      },
    });
  } catch (error) {
    if (!(error instanceof FatalStartError)) throw error;
    say(`▶ npm start: ${error.message}`);
    return EXIT_BAD_CONFIG;
  }
  let interrupted = false;
  const stopping = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      if (interrupted) return;
      interrupted = true;
      say(`\n▶ ${signal}: stopping every service (each drains its in-flight calls)`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  let exitCode = 0;
  const ready = platform.ready().then(
    () => {
      if (!interrupted) say(howToCall(platform));
    },
    (error: unknown) => {
      if (interrupted) return;
      say(`▶ npm start: ${error instanceof Error ? error.message : String(error)}; stopping`);
      exitCode = error instanceof FatalStartError ? EXIT_BAD_CONFIG : 1;
    },
  );
  await Promise.race([stopping, ready.then(() => (exitCode !== 0 ? undefined : stopping))]);
  await platform.stop();
  runFile.remove();
  say(`▶ stopped ${stoppedCleanly.length > 0 ? stoppedCleanly.join(', ') : 'everything'}`);
  return exitCode;
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(`▶ npm start failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
