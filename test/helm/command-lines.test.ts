import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeWhenAvailable, findOnPath, renderChart, type KubernetesObject } from '@streamplane/testkit';
import { freePort } from '@streamplane/tools';
import { VARIANTS, named, podOwners, secretData, type Container, type EnvVar } from './rendered';

/**
 * No secret on a command line. Kubernetes expands $(VAR) in a container's command and args into the argv
 * of its process, which every process on the node may read (`ps`, /proc/<pid>/cmdline); secrets reach a
 * process through its environment, a mounted file or its standard input instead. Redis, which takes its
 * password as configuration, gets it on standard input, and its probe authenticates through REDISCLI_AUTH.
 */

const run = promisify(execFile);

/** Chart-given secrets, recognisable wherever they would land (at least 32 bytes, URL-safe). */
const GIVEN: Record<string, string> = {
  'secrets.authSecret': 'auth-secret-given-to-the-chart-0123456789',
  'secrets.cdnSecret': 'cdn-secret-given-to-the-chart-0123456789',
  'postgresql.password': 'postgres-password-given-to-the-chart-0123',
  'redis.password': 'redis-password-given-to-the-chart-0123456',
};

const rendered = new Map<string, KubernetesObject[]>();

beforeAll(async () => {
  // With secrets.existingSecret the chart refuses secrets of its own: that Secret is the user's.
  const renderings = await Promise.all(
    VARIANTS.map((variant) =>
      renderChart({ values: variant.files, set: variant.values.secrets.existingSecret ? {} : GIVEN }),
    ),
  );
  VARIANTS.forEach((variant, index) => rendered.set(variant.name, renderings[index]));
}, 120_000);

const containersOf = (objects: KubernetesObject[]) =>
  podOwners(objects).flatMap(({ object, spec }) =>
    [...(spec.initContainers ?? []), ...spec.containers].map((container) => ({ owner: object, container })),
  );

/** Every string a container's processes get as arguments: command, args and exec probes. */
const commandLines = (container: Container): string[] => [
  ...(container.command ?? []),
  ...(container.args ?? []),
  ...[container.readinessProbe, container.livenessProbe, container.startupProbe].flatMap(
    (probe) => probe?.exec?.command ?? [],
  ),
];

/** $(NAME) references Kubernetes expands ($$(NAME) is the escape for a literal one). */
const expansions = (text: string): string[] =>
  [...text.matchAll(/(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)].map((match) => match[1]);

const redisContainer = (objects: KubernetesObject[]): Container =>
  (named(objects, 'StatefulSet', 'redis').spec as { template: { spec: { containers: Container[] } } }).template.spec
    .containers[0];

describe.each(VARIANTS.map((variant) => variant.name))('the chart (%s values)', (name) => {
  const objects = () => rendered.get(name) as KubernetesObject[];

  it('expands no Secret-backed variable into a command line', () => {
    const offending = containersOf(objects()).flatMap(({ owner, container }) => {
      const fromSecrets = new Set(
        (container.env ?? [])
          .filter((variable: EnvVar) => variable.valueFrom?.secretKeyRef)
          .map((variable: EnvVar) => variable.name),
      );
      return commandLines(container)
        .flatMap(expansions)
        .filter((variable) => fromSecrets.has(variable))
        .map((variable) => `${owner.kind}/${owner.metadata.name} ${container.name}: $(${variable})`);
    });
    expect(offending).toEqual([]);
  });

  it('holds the secrets nowhere but in its Secret', () => {
    const secrets = objects().filter((object) => object.kind === 'Secret');
    const values = secrets.flatMap((secret) => Object.values(secretData(secret))).filter((value) => value.length >= 8);
    const elsewhere = JSON.stringify(objects().filter((object) => object.kind !== 'Secret'));
    const given = VARIANTS.find((variant) => variant.name === name)?.values.secrets.existingSecret
      ? []
      : Object.values(GIVEN);
    for (const value of [...new Set([...values, ...given])]) {
      expect({ found: elsewhere.includes(value) }).toEqual({ found: false });
    }
  });

  it('lets Redis probes authenticate through REDISCLI_AUTH, never a password flag', () => {
    const values = VARIANTS.find((variant) => variant.name === name)?.values;
    if (!values?.redis.enabled) return;
    const redis = redisContainer(objects());
    const auth = redis.env?.find((variable) => variable.name === 'REDISCLI_AUTH');
    expect(auth?.valueFrom?.secretKeyRef?.key).toBe('redis-password');
    // Nothing else carries the password into the container: the script reads REDISCLI_AUTH too.
    expect(redis.env?.map((variable) => variable.name)).toEqual(['REDISCLI_AUTH']);
    const probe = redis.readinessProbe?.exec?.command ?? [];
    expect(probe[0]).toBe('redis-cli');
    expect(probe.filter((word) => /^(-a|--pass|--user|--askpass|-u)$|^redis:\/\//.test(word))).toEqual([]);
    // The server itself still runs as a non-root user on a read-only root filesystem.
    expect(redis.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
  });
});

/** redis.yaml's script, run by a POSIX shell here as the container runs it (port and data directory moved). */
function redisScript(objects: KubernetesObject[], port: number, dir: string): string {
  const redis = redisContainer(objects);
  expect(redis.command).toEqual(['sh', '-c']);
  const [script] = redis.args ?? [];
  expect(script).toContain('--port 6379 --dir /data ');
  return script.replace('--port 6379 --dir /data ', `--port ${port} --dir ${dir} `);
}

/** The argv of every process of this machine's, joined by spaces. */
function commandLinesOfEveryProcess(): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        return [readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')];
      } catch {
        return [];
      }
    });
}

const haveRedis = findOnPath('redis-server') !== undefined && findOnPath('redis-cli') !== undefined;
describeWhenAvailable(
  haveRedis && process.platform === 'linux',
  'redis-server',
  'redis-server and redis-cli are not on PATH (apt-get install redis-server), or /proc is missing',
  'the Redis container’s start-up script, with a real redis-server',
  () => {
    // Quotes, a backslash, a shell expansion and a trailing newline: what an existing Secret may hold.
    const password = 'a "password" with \\ and $(id) and `id` in it\n';
    let dir: string;
    let port: number;
    let server: ReturnType<typeof spawn> | undefined;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'streamplane-redis-script-'));
      port = await freePort();
      const script = redisScript(rendered.get('default') as KubernetesObject[], port, dir);
      server = spawn('sh', ['-c', script], {
        env: { PATH: process.env.PATH, REDISCLI_AUTH: password },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('redis-server did not start within 10 s')), 10_000);
        server?.stdout?.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('Ready to accept connections')) {
            clearTimeout(timer);
            resolve();
          }
        });
        server?.once('exit', (code) => reject(new Error(`the script exited with ${code}`)));
      });
    }, 20_000);

    afterAll(async () => {
      if (server && server.exitCode === null) {
        const exited = new Promise((resolve) => server?.once('exit', resolve));
        server.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    });

    const ping = async (auth?: string) => {
      const env = { PATH: process.env.PATH, ...(auth === undefined ? {} : { REDISCLI_AUTH: auth }) };
      const { stdout } = await run('redis-cli', ['-p', String(port), 'ping'], { env });
      return stdout.trim();
    };

    it('becomes redis-server itself (exec), and no process has the password in its argv', () => {
      expect(readFileSync(`/proc/${server?.pid}/comm`, 'utf8').trim()).toBe('redis-server');
      const visible = commandLinesOfEveryProcess().filter((line) => line.includes(password.trim()));
      expect(visible).toEqual([]);
    });

    it('requires the password, byte for byte, as the probe sends it', async () => {
      expect(await ping(password)).toBe('PONG');
      expect(await ping()).toMatch(/NOAUTH/);
      // Without its trailing newline it is another password (redis-cli reports AUTH failed, then NOAUTH).
      expect(await ping(password.trim())).toMatch(/NOAUTH/);
    });
  },
);
