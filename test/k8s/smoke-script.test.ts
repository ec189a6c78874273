import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@streamplane/tools';
import { stubbedCluster, type StubbedCluster } from './stubbed-cluster';

/**
 * k8s/smoke.sh stays quiet until it has something to say: its waits (port-forwards, Jaeger indexing the
 * play's trace) go through retry_quietly of k8s/lib.sh, tested here with a check that fails on purpose, and
 * it names every missing tool before it touches the cluster. Its run against a cluster needs a real one.
 */

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `script` in bash with k8s/lib.sh sourced, in a directory of its own (passed as $1). */
function withLib(script: string): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'streamplane-retry-'));
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', `set -euo pipefail; source "${join(REPO_ROOT, 'k8s', 'lib.sh')}"; ${script}`, 'smoke.sh', dir],
      { timeout: 10_000 },
      (error, stdout, stderr) => {
        rmSync(dir, { recursive: true, force: true });
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

/** A check that fails (loudly, as a stack trace would) until its `passOn`th attempt. */
const flakyCheck = (passOn: number) => `
check() {
  echo x >>"$1/attempts"
  local attempt; attempt=$(wc -l <"$1/attempts")
  if ((attempt >= ${passOn})); then return 0; fi
  echo "attempt $attempt: SyntaxError: Unexpected end of JSON input"
  echo "    at JSON.parse (<anonymous>)" >&2
  return 1
}`;

describe('retry_quietly', () => {
  it('keeps the failed attempts to itself and says once what it waits for', async () => {
    const result = await withLib(`${flakyCheck(3)}
retry_quietly 5 0 "Jaeger to index the trace" check "$1"; echo "attempts: $(wc -l <"$1/attempts")"`);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe('  waiting for Jaeger to index the trace\nattempts: 3\n');
    expect(result.stderr).toBe('');
  });

  it('says nothing at all when the first attempt passes', async () => {
    const result = await withLib(`${flakyCheck(1)}
retry_quietly 5 0 "Jaeger to index the trace" check "$1"`);

    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('on giving up, prints one line of why and the last attempt only', async () => {
    const result = await withLib(`${flakyCheck(99)}
retry_quietly 3 0 "Jaeger to index the trace" check "$1"`);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('  waiting for Jaeger to index the trace\n');
    expect(result.stderr).toBe(
      [
        'smoke.sh: gave up waiting for Jaeger to index the trace (3 attempts, 0s apart); the last one said:',
        '    attempt 3: SyntaxError: Unexpected end of JSON input',
        '        at JSON.parse (<anonymous>)',
        '',
      ].join('\n'),
    );
  });
});

describe('k8s/smoke.sh without its tools', () => {
  let cluster: StubbedCluster;
  afterEach(() => cluster.remove());

  it('names every missing one and calls nothing', async () => {
    cluster = stubbedCluster({ without: ['grpcurl', 'curl'] });
    const run = await cluster.run('k8s/smoke.sh', []);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('smoke.sh: missing grpcurl curl');
    expect(run.calls).toEqual([]);
  });
});
