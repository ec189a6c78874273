import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../service-command';

/**
 * Tests never download: helm and kubectl come from the install step, and a machine without them is told
 * so in one line by the first test that needs one, instead of a test timing out on a download.
 */
const run = promisify(execFile);

test('a missing helm is reported in one line that says how to get it, and nothing is fetched', async () => {
  const emptyCache = mkdtempSync(join(tmpdir(), 'streamplane-no-tools-'));
  try {
    const script = "require('./scripts/ensure-helm.js').installedHelmPath()";
    const failure = await run(process.execPath, ['-e', script], {
      cwd: REPO_ROOT,
      // Only node's own directory on PATH: no helm there, and no npm to fetch one with.
      env: { PATH: dirname(process.execPath), STREAMPLANE_TOOL_CACHE: emptyCache },
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    const message = failure!.stderr.split('\n').find((line) => line.startsWith('Error: '));
    expect(message).toBe(
      "Error: helm is not installed here: run `node scripts/ensure-helm.js` (npm test's install step does it) or put helm on PATH",
    );
  } finally {
    rmSync(emptyCache, { recursive: true, force: true });
  }
});
