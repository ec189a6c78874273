import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, releaseEventLoop } from '@streamplane/testkit';
import { freePort } from '@streamplane/tools';

/**
 * A real server binary of the Prometheus family (prometheus, prometheus-pushgateway) for a test: its state
 * in a temporary directory, its HTTP API on a free loopback port, ready once `readyPath` answers 200.
 * Nothing outlives the jest worker, whatever happens to the test.
 */

export interface HttpBinary {
  readonly url: string;
  /** SIGTERM (SIGKILL after 10 s), then its directory removed. */
  stop(): Promise<void>;
}

export interface HttpBinaryOptions {
  binary: string;
  /** Its arguments, given its temporary directory and the loopback address it must listen on. */
  args(dir: string, listenAddress: string): string[];
  readyPath: string;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startHttpBinary({ binary, args, readyPath }: HttpBinaryOptions): Promise<HttpBinary> {
  const dir = mkdtempSync(join(tmpdir(), `streamplane-${binary}-`));
  const listenAddress = `127.0.0.1:${await freePort()}`;
  const child = spawn(binary, args(dir, listenAddress), { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  releaseEventLoop(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));

  const url = `http://${listenAddress}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killTimer);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`${binary} exited with ${child.exitCode}:\n${stderr}`);
      return (await fetch(`${url}${readyPath}`).catch(() => undefined))?.status === 200;
    }, `${binary} ready on ${url}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}
