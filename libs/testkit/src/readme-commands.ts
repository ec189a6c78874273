import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { REPO_ROOT } from '@streamplane/tools';
import { BUF } from './buf-curl';

/**
 * README's calls, run as a reader would paste them, so the README cannot drift from what works. Only
 * three things are rewritten: the design ports become the ports the test platform listens on, `npx buf`
 * becomes the installed buf binary, and `npm run --silent token --` calls the built token script directly
 * (npm's pre-script would rebuild dist/ under the running services).
 */

/** The `sh` code blocks under README's `## <section>` heading (its ### subsections included). */
export function readmeShellBlocks(section: string): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${section}\n`);
  if (start < 0) throw new Error(`README.md has no "## ${section}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  const body = readme.slice(start, end < 0 ? undefined : end);
  return [...body.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

/** Runs one block with bash (`set -euo pipefail`); `portMap` maps each design port to the test's address. */
export function runReadmeBlock(
  block: string,
  portMap: ReadonlyMap<number, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let script = block
    .replace(/127\.0\.0\.1:(\d{5})/g, (text, port: string) => portMap.get(Number(port)) ?? text)
    .replace(/npx buf /g, `"${BUF}" `)
    .replace(/npm run --silent token --/g, `node "${join(REPO_ROOT, 'scripts', 'dist', 'token.js')}"`);
  script = `set -euo pipefail\n${script}`;
  const workDirectory = mkdtempSync(join(tmpdir(), 'streamplane-readme-'));
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { cwd: workDirectory, timeout: 60_000 }, (error, stdout, stderr) => {
      rmSync(workDirectory, { recursive: true, force: true });
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
