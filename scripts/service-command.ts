import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { basename, join } from 'node:path';

/**
 * How a Streamplane service process is started, in one place for `npm start`, the tests and the bench:
 * the built entry point with telemetry preloaded, exactly as the container image does it.
 */

/** The repository root, whether this file runs from source (jest) or compiled into dist/. */
export const REPO_ROOT = findRepoRoot(__dirname);

function findRepoRoot(from: string): string {
  const parent = join(from, '..');
  return basename(parent) === 'dist' ? join(parent, '..') : parent;
}

/** `node` arguments that run `service`: telemetry preloaded, then its built main.js. */
export function serviceNodeArguments(service: string): string[] {
  const dist = join(REPO_ROOT, 'dist');
  return [
    '--require',
    join(dist, 'libs', 'platform', 'src', 'telemetry', 'register.js'),
    join(dist, 'services', service, 'src', 'main.js'),
  ];
}

const running = new Set<ChildProcess>();
// However the parent ends (a failed test, an exception), no service process outlives it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Spawns `service`; the child is killed if this process exits while it still runs. */
export function spawnService(service: string, options: SpawnOptions): ChildProcess {
  const child = spawn(process.execPath, serviceNodeArguments(service), { cwd: REPO_ROOT, ...options });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}
