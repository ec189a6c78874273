import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CONTROL_ROOM } from '@streamplane/contracts';

/**
 * How a Streamplane service process is started, in one place for `npm start`, the tests and the bench:
 * the built entry point with telemetry preloaded, exactly as the container image does it.
 */

/** The repository root (the workspace root, holding package-lock.json), from source or from dist/. */
export const REPO_ROOT = findRepoRoot(__dirname);

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package-lock.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package-lock.json above ${from}`);
  }
}

/**
 * V8 flags of every service process, here and in the image's entrypoint alike: none. A small young
 * generation (2 MB semi-spaces) looked like the way to keep an idle service under 100 MB resident, but it
 * cost a third of the play path's throughput in GC; with V8's default, an idle service is back under
 * 100 MB within ~20 s, once V8's memory reducer has shrunk the heap its start-up grew (see bench/run.ts).
 */
export const SERVICE_NODE_FLAGS: readonly string[] = [];

/** `node` arguments that run `service`: telemetry preloaded (not for the control room), then its built main.js. */
export function serviceNodeArguments(service: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return [
    ...SERVICE_NODE_FLAGS,
    // Node refuses flags such as --cpu-prof in NODE_OPTIONS; this is how to profile every service at once.
    ...(env.STREAMPLANE_SERVICE_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? []),
    // The control room receives the platform's traces and makes none of its own to send.
    ...(service === CONTROL_ROOM.name
      ? []
      : ['--require', join(REPO_ROOT, 'libs', 'contracts', 'dist', 'register-telemetry.js')]),
    join(REPO_ROOT, 'services', service, 'dist', 'main.js'),
  ];
}

const running = new Set<ChildProcess>();
// However the parent ends (a failed test, an exception), no service process outlives it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Spawns `service`; the child is killed if this process exits while it still runs, and, because its stdin
 * is a pipe from this process (STREAMPLANE_EXIT_WITH_PARENT), it also shuts down by itself if this
 * process dies without a chance to kill it (SIGKILL, a killed test worker).
 */
export function spawnService(service: string, options: SpawnOptions): ChildProcess {
  const [, stdout = 'pipe', stderr = 'pipe'] = Array.isArray(options.stdio) ? options.stdio : [];
  const child = spawn(process.execPath, serviceNodeArguments(service), {
    cwd: REPO_ROOT,
    ...options,
    env: { ...options.env, STREAMPLANE_EXIT_WITH_PARENT: 'true' },
    stdio: ['pipe', stdout, stderr],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}
