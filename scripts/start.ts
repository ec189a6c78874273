/* eslint-disable no-console -- this is the interactive launcher: it talks to a person on a terminal */
import { SERVICES, type ServiceName } from '@streamplane/contracts';
import { LOCAL_DEVELOPMENT_SECRET, signAccountToken } from '@streamplane/streaming';
import { Platform, START_ORDER, type PlatformEvent } from './platform';

/**
 * `npm start`: all seven services as supervised processes on their design ports, logs of all of them in
 * one stream (one line each, prefixed by the service), progress until every one reports SERVING, then
 * how to call them. A service that dies is reported with its last lines and restarted with backoff.
 * Ctrl-C stops everything, each service draining its in-flight calls.
 */

const WIDTH = Math.max(...START_ORDER.map((name) => name.length));

function prefix(service: ServiceName): string {
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

function describe(event: PlatformEvent, waiting: Set<ServiceName>): string | undefined {
  switch (event.kind) {
    case 'starting':
      return event.attempt === 1 ? undefined : `▶ ${event.service}: starting again (attempt ${event.attempt})`;
    case 'serving':
      waiting.delete(event.service);
      return waiting.size > 0
        ? `▶ ${event.service} is SERVING; waiting for ${[...waiting].join(', ')}`
        : `▶ ${event.service} is SERVING`;
    case 'exited':
      return [
        `▶ ${event.service} exited (${event.signal ?? `code ${event.code}`}); its last lines:`,
        ...event.lastLines.map((line) => `    ${readable(line)}`),
      ].join('\n');
    case 'restarting':
      return `▶ ${event.service}: restarting in ${event.inMs} ms`;
  }
}

function howToCall(): string {
  const token = signAccountToken('acct-0001', process.env.STREAMPLANE_AUTH_SECRET || LOCAL_DEVELOPMENT_SECRET);
  const rows = START_ORDER.map(
    (name) =>
      `  ${name.padEnd(WIDTH)}  127.0.0.1:${SERVICES[name].port}  metrics :${SERVICES[name].metricsPort}/metrics  ${SERVICES[name].grpcService}`,
  );
  const play =
    '{"profile_id":"acct-0001-p1","title_id":"tt00001","device":{"device_id":"tv-1","max_height":2160,"supports_hdr":true,"codecs":["h264","hevc"]},"client":{"country":"US","asn":20250}}';
  return `
Streamplane is up:

${rows.join('\n')}

Browse (buf curl ships with the project; grpcurl takes the same calls):

  npx buf curl --protocol grpc --http2-prior-knowledge -d '{"query":"crown","country":"US"}' \\
    http://127.0.0.1:50051/streamplane.catalog.v1.CatalogService/SearchTitles
  grpcurl -plaintext -d '{"title_id":"tt00001","country":"US"}' \\
    127.0.0.1:50051 streamplane.catalog.v1.CatalogService/GetTitle

Home rows:

  npx buf curl --protocol grpc --http2-prior-knowledge -d '{"profile_id":"acct-0001-p1","country":"US"}' \\
    http://127.0.0.1:50053/streamplane.recommendations.v1.RecommendationsService/GetHomeRows

Hit play (a token for acct-0001, valid for a day; npm run --silent token -- <account> makes others):

  TOKEN=${token}
  npx buf curl --protocol grpc --http2-prior-knowledge -H "authorization: Bearer $TOKEN" \\
    -d '${play}' \\
    http://127.0.0.1:50054/streamplane.playback.v1.PlaybackAuthorizationService/AuthorizePlayback
  grpcurl -plaintext -H "authorization: Bearer $TOKEN" \\
    -d '${play}' \\
    127.0.0.1:50054 streamplane.playback.v1.PlaybackAuthorizationService/AuthorizePlayback

Press Ctrl-C to stop.`;
}

async function main(): Promise<void> {
  const waiting = new Set<ServiceName>(START_ORDER);
  console.log(`▶ starting ${START_ORDER.join(', ')}`);
  let stopping = false;
  const platformStarting = Platform.start({
    ports: 'design',
    env: process.env,
    onLine: (service, line) => console.log(`${prefix(service)} ${readable(line)}`),
    onEvent: (event) => {
      if (stopping && event.kind !== 'exited') return;
      const message = describe(event, waiting);
      if (message) console.log(message);
    },
  });
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`\n▶ ${signal}: stopping every service (each drains its in-flight calls)`);
      void platformStarting.then((platform) => platform.stop()).then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await platformStarting;
  if (!stopping) console.log(howToCall());
  await stopped;
  console.log('▶ stopped');
}

main().catch((error: unknown) => {
  console.error(`▶ npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
