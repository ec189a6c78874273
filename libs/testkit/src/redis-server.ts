import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describeWhenInstalled, findOnPath } from './required-binary';
import { releaseEventLoop } from './service-process';
import { freePort } from '@streamplane/tools';
import { createRedisClient } from '@streamplane/platform/redis';

/**
 * Real redis-server processes for store tests: each on an ephemeral 127.0.0.1 port, in its own temporary
 * directory, without persistence. Nothing outlives the jest worker, whatever happens to the test.
 */

const BINARY = 'redis-server';
const STARTUP_TIMEOUT_MS = 10_000;

export interface RedisServer {
  readonly port: number;
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  /** Shuts the server down and removes its directory. */
  stop(): Promise<void>;
  /** SIGKILL: the connection loss a crash or a network partition causes. */
  kill(): Promise<void>;
  /** Starts the server again (killing it first if it still runs) on the same port, empty. */
  restart(): Promise<void>;
}

const running = new Set<ChildProcess>();
const directories = new Set<string>();

process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

export async function startRedisServer(): Promise<RedisServer> {
  const binary = findOnPath(BINARY);
  if (!binary) throw new Error(`${BINARY} is not on PATH`);
  const dir = mkdtempSync(join(tmpdir(), 'streamplane-redis-'));
  directories.add(dir);
  const port = await freePort();
  let child = await launch(binary, port, dir);

  const exit = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    }
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await exit('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
      directories.delete(dir);
    },
    kill: () => exit('SIGKILL'),
    async restart() {
      await exit('SIGKILL');
      child = await launch(binary, port, dir);
    },
  };
}

/**
 * A suite with one Redis server, started before its tests and stopped after them (see
 * describeWhenInstalled for what happens where redis-server is missing).
 */
export function describeWithRedis(name: string, body: (redis: () => RedisServer) => void): void {
  describeWhenInstalled(BINARY, 'apt-get install redis-server', name, () => {
    let server: RedisServer | undefined;
    beforeAll(async () => {
      server = await startRedisServer();
    });
    body(() => {
      if (!server) throw new Error('the Redis server has not started');
      return server;
    });
    // Registered after the body's hooks so that it runs after them (its clients disconnect first).
    afterAll(() => server?.stop());
  });
}

/**
 * Every client's writes (and scripts that write) wait until release() while reads go on, so that a store's
 * call is in flight for as long as the test wants, however fast or slow the machine is (CLIENT PAUSE WRITE).
 */
export interface HeldWrites {
  /**
   * Clients whose command waits on the pause. One connection counts once: it sends its other commands
   * behind the waiting one.
   */
  waiters(): Promise<number>;
  /** Ends the pause; nothing to do once the server is gone. */
  release(): Promise<void>;
}

/** Longer than any test: a pause must not end by itself while the test still counts on it. */
const HOLD_WRITES_MS = 10 * 60_000;

export async function holdWrites(server: RedisServer): Promise<HeldWrites> {
  // Never reconnecting: tests kill the server under this connection without releasing it, and a client
  // that kept trying would keep the test process alive after the last test.
  const client = createRedisClient(server.url, { lazyConnect: true, retryStrategy: () => null });
  // Tests kill the server under this connection: its loss is expected.
  client.on('error', () => undefined);
  await client.connect();
  await client.call('CLIENT', 'PAUSE', String(HOLD_WRITES_MS), 'WRITE');
  return {
    async waiters() {
      const blocked = /^blocked_clients:(\d+)/m.exec(await client.info('clients'));
      return Number(blocked?.[1]);
    },
    async release() {
      await client.call('CLIENT', 'UNPAUSE').catch(() => undefined);
      client.disconnect();
    },
  };
}

async function launch(binary: string, port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    binary,
    ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  child.once('exit', () => running.delete(child));
  releaseEventLoop(child);
  const output: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start within ${STARTUP_TIMEOUT_MS} ms`)),
        STARTUP_TIMEOUT_MS,
      );
      createInterface({ input: child.stdout! }).on('line', (line) => {
        output.push(line);
        if (line.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code} before accepting connections`));
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}:\n${output.join('\n')}`);
  }
  return child;
}
