import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@streamplane/tools';
import { describeWhenInstalled } from '@streamplane/testkit';

/** The cluster scripts and CI's entry point pass shellcheck, following what they source (-x). */

const SCRIPTS = [
  ...readdirSync(join(REPO_ROOT, 'k8s'))
    .filter((file) => file.endsWith('.sh'))
    .map((file) => `k8s/${file}`),
  '.ci/run',
];

describeWhenInstalled('shellcheck', 'Debian package shellcheck, which .ci/run installs', 'the shell scripts', () => {
  it.each(SCRIPTS)('%s has no shellcheck findings', async (script) => {
    const output = await new Promise<string>((resolve) => {
      // From the repository's root, where the scripts' `# shellcheck source=k8s/…` paths start.
      execFile('shellcheck', ['-x', script], { cwd: REPO_ROOT, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve(error ? `${stdout}${stderr}` || String(error) : ''),
      );
    });

    expect(output).toBe('');
  });
});
