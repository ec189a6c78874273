import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { spawnService } from '@streamplane/tools';

/**
 * Runs a real service process (the built dist/ entry point, exactly as `npm start` and the container do)
 * on an ephemeral 127.0.0.1 port, and collects its JSON log lines for assertions.
 */

const STARTUP_TIMEOUT_MS = 30_000;

export type LogLine = Record<string, unknown> & { msg?: string; level?: string };

export interface ServiceProcess {
  readonly name: string;
  readonly port: number;
  /** Port of the Prometheus /metrics endpoint. */
  readonly metricsPort: number;
  /** The plaintext gRPC health port (HEALTH_PORT). */
  readonly healthPort: number;
  readonly address: string;
  readonly logs: LogLine[];
  readonly stderr: string[];
  readonly process: ChildProcess;
  /** Sends `signal` and resolves with the exit code once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code when the process exits by itself. */
  exited: Promise<number | null>;
}

/** Ephemeral ports for everything a service listens on, so parallel tests never collide. */
const EPHEMERAL = {
  GRPC_HOST: '127.0.0.1',
  GRPC_PORT: '0',
  METRICS_HOST: '127.0.0.1',
  METRICS_PORT: '0',
  HEALTH_PORT: '0',
};

export async function startServiceProcess(service: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
  const child = spawnService(service, {
    env: { PATH: process.env.PATH, ...EPHEMERAL, LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  releaseEventLoop(child);
  const logs: LogLine[] = [];
  const stderr: string[] = [];
  const exited = new Promise<number | null>((resolve) => {
    // 'close', not 'exit': by then stdout has been read to the end, so `logs` holds every line.
    child.once('close', (code, signal) => {
      resolve(code ?? (signal ? null : code));
    });
  });

  let metricsPort = 0;
  let healthPort = 0;
  const serving = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${service} did not start within ${STARTUP_TIMEOUT_MS} ms`)),
      STARTUP_TIMEOUT_MS,
    );
    createInterface({ input: child.stdout! }).on('line', (text) => {
      const line = parseLine(text);
      logs.push(line);
      if (line.msg === 'serving' && typeof line.port === 'number') {
        clearTimeout(timer);
        metricsPort = typeof line.metrics_port === 'number' ? line.metrics_port : 0;
        healthPort = typeof line.health_port === 'number' ? line.health_port : 0;
        resolve(line.port);
      }
    });
    createInterface({ input: child.stderr! }).on('line', (text) => stderr.push(text));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${service} exited with ${code} before serving:\n${stderr.join('\n')}`));
    });
  });

  let port: number;
  try {
    port = await serving;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }

  return {
    name: service,
    port,
    metricsPort,
    healthPort,
    address: `127.0.0.1:${port}`,
    logs,
    stderr,
    process: child,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      try {
        return await exited;
      } finally {
        clearTimeout(killTimer);
      }
    },
  };
}

/** Runs a service process expected to fail at start; resolves with its exit code and stderr. */
export async function runUntilExit(
  service: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawnService(service, {
    env: { PATH: process.env.PATH, ...EPHEMERAL, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killTimer = setTimeout(() => child.kill('SIGKILL'), STARTUP_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  clearTimeout(killTimer);
  return { code, stderr };
}

/**
 * A process a failing test forgot to stop must not keep jest waiting forever: the child and its pipes do
 * not hold the event loop open, and the exit hook above kills whatever is left.
 */
export function releaseEventLoop(child: ChildProcess): void {
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }
}

function parseLine(text: string): LogLine {
  try {
    return JSON.parse(text) as LogLine;
  } catch {
    return { msg: text, unstructured: true };
  }
}
