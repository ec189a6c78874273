/* eslint-disable no-console -- this is the interactive launcher: it talks to a person on a terminal */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SERVICE_NAMES, SERVICES, type ServiceName } from '../libs/platform/src/service-registry';

/**
 * `npm start`: runs every built service as its own process on its design port, prefixes their logs,
 * waits until each one serves, then prints how to call them. Ctrl-C stops them all cleanly.
 */

const DIST = join(__dirname, '..');

interface Launched {
  name: ServiceName;
  child: ChildProcess;
  serving: Promise<void>;
}

function launch(name: ServiceName): Launched {
  const preload = join(DIST, 'libs', 'platform', 'src', 'telemetry', 'register.js');
  const child = spawn(process.execPath, ['--require', preload, join(DIST, 'services', name, 'src', 'main.js')], {
    env: { ...process.env, GRPC_HOST: process.env.GRPC_HOST ?? '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `${name.padEnd(22)}|`;
  let markServing!: () => void;
  const serving = new Promise<void>((resolve) => (markServing = resolve));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    console.log(`${prefix} ${line}`);
    if (line.includes('"msg":"serving"')) markServing();
  });
  createInterface({ input: child.stderr! }).on('line', (line) => console.error(`${prefix} ${line}`));
  child.once('exit', (code, signal) => console.error(`${prefix} exited (${signal ?? code})`));
  return { name, child, serving };
}

async function main(): Promise<void> {
  const available = SERVICE_NAMES.filter((name) => existsSync(join(DIST, 'services', name, 'src', 'main.js')));
  const launched = available.map(launch);
  const stopAll = (): void => {
    for (const { child } of launched) if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);

  await Promise.all(launched.map((service) => service.serving));
  console.log('\nStreamplane is up:\n');
  for (const { name } of launched) {
    console.log(`  ${name.padEnd(24)} 127.0.0.1:${SERVICES[name].port}  ${SERVICES[name].grpcService}`);
  }
  console.log(`
Try it (buf curl ships with the project: npx buf curl …; grpcurl works the same way):

  npx buf curl --protocol grpc --http2-prior-knowledge -d '{"title_id":"tt00001","country":"US"}' \\
    http://127.0.0.1:50051/streamplane.catalog.v1.CatalogService/GetTitle

  grpcurl -plaintext -d '{"title_id":"tt00001","country":"US"}' \\
    127.0.0.1:50051 streamplane.catalog.v1.CatalogService/GetTitle

Press Ctrl-C to stop.`);

  await Promise.all(launched.map(({ child }) => new Promise((resolve) => child.once('exit', resolve))));
}

void main();
