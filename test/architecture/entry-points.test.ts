import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@streamplane/tools';

/**
 * What a process loads is what it pays for at start and in memory: the platform's main entry point loads
 * no database driver and no Consul client; those come with their own entry points (or, for Consul, only
 * in consul discovery mode). Checked in a fresh node process against the built packages.
 */

const run = promisify(execFile);

/** The npm packages a fresh node process has loaded after requiring `specifiers`. */
async function packagesLoadedBy(...specifiers: string[]): Promise<string[]> {
  const script = `
    for (const specifier of ${JSON.stringify(specifiers)}) require(specifier);
    const names = new Set();
    for (const file of Object.keys(require.cache)) {
      const match = /.*node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(file);
      if (match) names.add(match[1]);
    }
    process.stdout.write(JSON.stringify([...names].sort()));
  `;
  const { stdout } = await run(process.execPath, ['-e', script], { cwd: REPO_ROOT });
  return JSON.parse(stdout) as string[];
}

describe('package entry points', () => {
  test('@streamplane/platform loads no database driver and no Consul client', async () => {
    const loaded = await packagesLoadedBy('@streamplane/platform');
    expect(loaded).toEqual(expect.arrayContaining(['@grpc/grpc-js', '@nestjs/core', 'opossum']));
    expect(loaded.filter((name) => ['pg', 'ioredis', 'consul'].includes(name))).toEqual([]);
  });

  test('the store entry points bring their drivers', async () => {
    expect(await packagesLoadedBy('@streamplane/platform/postgres')).toContain('pg');
    expect(await packagesLoadedBy('@streamplane/platform/redis')).toContain('ioredis');
  });

  test('the streaming domain loads neither Nest nor gRPC', async () => {
    const loaded = await packagesLoadedBy('@streamplane/streaming');
    expect(loaded.filter((name) => name.startsWith('@nestjs/') || name.startsWith('@grpc/'))).toEqual([]);
  });
});
