import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '@streamplane/tools';
import { imageTag } from './stubbed-cluster';

/**
 * scripts/image-tag.js, the tag k8s/cluster.sh gives the image: the same build context gives the same tag,
 * any change to what Docker sends (or to the Dockerfile) gives another, and what .dockerignore keeps out
 * changes nothing. The contexts are small copies made here, with the repository's own .dockerignore.
 */

const DOCKERIGNORE = join(REPO_ROOT, '.dockerignore');

let roots: string[] = [];
afterEach(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
  roots = [];
});

/** A build context: the repository's .dockerignore, a Dockerfile, sources, and files Docker never gets. */
function context(): { dir: string; write: (path: string, content: string) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'streamplane-image-tag-'));
  roots.push(dir);
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  cpSync(DOCKERIGNORE, join(dir, '.dockerignore'));
  write('Dockerfile', 'FROM node:24-bookworm-slim\nCOPY . .\n');
  write('package.json', '{ "name": "streamplane" }\n');
  write('services/catalog/src/main.ts', 'export const answer = 42;\n');
  write('README.md', '# Streamplane\n');
  write('helm/streamplane/values.yaml', 'image:\n  tag: ""\n');
  write('node_modules/left-pad/index.js', 'module.exports = () => {};\n');
  write('services/catalog/dist/main.js', 'exports.answer = 42;\n');
  return { dir, write };
}

describe('the image tag', () => {
  it('is 12 hex digits, the same for the same content wherever it lies', async () => {
    const [first, second] = [context(), context()];
    const tags = [await imageTag(first.dir), await imageTag(first.dir), await imageTag(second.dir)];

    expect(tags[0]).toMatch(/^[0-9a-f]{12}$/);
    expect(new Set(tags).size).toBe(1);
  });

  it.each([
    ['a changed source', 'services/catalog/src/main.ts', 'export const answer = 43;\n'],
    ['a new file git does not know yet', 'services/catalog/src/new.ts', 'export {};\n'],
    ['a changed Dockerfile, which .dockerignore names but the build reads', 'Dockerfile', 'FROM node:22\n'],
    ['a changed .dockerignore (what COPY . . takes)', '.dockerignore', 'node_modules\n'],
  ])('changes with %s', async (_, path, content) => {
    const { dir, write } = context();
    const before = await imageTag(dir);
    write(path, content);

    expect(await imageTag(dir)).not.toBe(before);
  });

  it('changes when a file becomes executable (COPY keeps the mode)', async () => {
    const { dir } = context();
    const before = await imageTag(dir);
    chmodSync(join(dir, 'services/catalog/src/main.ts'), 0o755);

    expect(await imageTag(dir)).not.toBe(before);
  });

  it.each([
    ['README.md', '# Streamplane, reworded\n'],
    ['helm/streamplane/values.yaml', 'image:\n  tag: other\n'],
    ['k8s/cluster.sh', 'echo changed\n'],
    ['node_modules/left-pad/index.js', 'module.exports = 1;\n'],
    ['services/catalog/dist/main.js', 'exports.answer = 43;\n'],
    ['.env', 'SECRET=1\n'],
  ])('stays the same when %s, which never enters the build context, changes', async (path, content) => {
    const { dir, write } = context();
    const before = await imageTag(dir);
    write(path, content);

    expect(await imageTag(dir)).toBe(before);
  });

  it('follows .dockerignore exceptions: a path let back in with ! counts', async () => {
    const { dir, write } = context();
    write('.dockerignore', 'docs\n!docs/kept.txt\n');
    write('docs/kept.txt', 'one\n');
    write('docs/dropped.txt', 'one\n');
    const before = await imageTag(dir);
    write('docs/dropped.txt', 'two\n');
    const afterDropped = await imageTag(dir);
    write('docs/kept.txt', 'two\n');

    expect(afterDropped).toBe(before);
    expect(await imageTag(dir)).not.toBe(before);
  });
});

describe("the repository's own image tag", () => {
  it('covers the sources and the Dockerfile, not the chart, the cluster scripts, README or installed modules', async () => {
    const files = (await imageTag(REPO_ROOT, '--files')).split('\n');

    expect(files).toEqual(expect.arrayContaining(['Dockerfile', 'package.json', 'scripts/image-tag.js']));
    expect(files.some((file) => file.startsWith('services/catalog/src/'))).toBe(true);
    const outside = files.filter((file) =>
      /^(helm|k8s|\.ci|\.git|node_modules)\/|(^|\/)(dist|node_modules)\/|^[^/]+\.md$/.test(file),
    );
    expect(outside).toEqual([]);
  });
});
