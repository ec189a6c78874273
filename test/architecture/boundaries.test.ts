import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@streamplane/tools';

/**
 * The package boundaries (.dependency-cruiser.cjs, run by `npm run lint`) are real: for each rule, a
 * wrong-way import planted in a miniature of the repository's layout is reported under that rule's name,
 * and the same miniature without it is clean. The repository itself is checked by `npm run lint`.
 */

const run = promisify(execFile);
const DEPCRUISE = join(REPO_ROOT, 'node_modules', '.bin', 'depcruise');
const CONFIG = join(REPO_ROOT, '.dependency-cruiser.cjs');

type Tree = Record<string, string>;

/** A miniature repository: a few packages resolvable by name, as npm workspaces link them. */
const BASE: Tree = {
  'tsconfig.base.json': '{ "compilerOptions": { "module": "node16", "moduleResolution": "node16" } }',
  'libs/platform/package.json': packageJson('platform'),
  'libs/platform/src/index.ts': "export const platform = 'cross-cutting';\n",
  'libs/contracts/package.json': packageJson('contracts'),
  'libs/contracts/src/index.ts':
    "import { platform } from '@streamplane/platform';\nexport const contracts = platform;\n",
  'libs/streaming/package.json': packageJson('streaming'),
  'libs/streaming/src/index.ts': "export const streaming = 'plain';\n",
  'libs/testkit/package.json': packageJson('testkit'),
  'libs/testkit/src/index.ts': "import { contracts } from '@streamplane/contracts';\nexport const kit = contracts;\n",
  'services/catalog/src/main.ts':
    "import { contracts } from '@streamplane/contracts';\nimport { answer } from './api/controller';\nexport const main = [contracts, answer];\n",
  'services/catalog/src/api/controller.ts':
    "import { titles } from '../application/titles';\nexport const answer = titles;\n",
  'services/catalog/src/application/titles.ts': "import { seed } from '../domain/seed';\nexport const titles = seed;\n",
  'services/catalog/src/adapters/store.ts':
    "import { titles } from '../application/titles';\nexport const store = titles;\n",
  'services/catalog/src/domain/seed.ts':
    "import { streaming } from '@streamplane/streaming';\nexport const seed = streaming;\n",
  'services/profiles/src/domain/profile.ts': "export const profile = 'rules';\n",
  'scripts/start.ts': "import { contracts } from '@streamplane/contracts';\nexport const start = contracts;\n",
  'node_modules/@nestjs/common/package.json': '{ "name": "@nestjs/common", "main": "index.js" }',
  'node_modules/@nestjs/common/index.js': 'exports.Injectable = () => () => undefined;\n',
  'node_modules/@grpc/grpc-js/package.json': '{ "name": "@grpc/grpc-js", "main": "index.js" }',
  'node_modules/@grpc/grpc-js/index.js': 'exports.status = {};\n',
};

function packageJson(name: string): string {
  return JSON.stringify({
    name: `@streamplane/${name}`,
    exports: { '.': { 'streamplane-source': './src/index.ts', default: './dist/index.js' } },
  });
}

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

async function violationsOf(planted: Tree): Promise<Array<{ rule: string; from: string; to: string }>> {
  const root = mkdtempSync(join(tmpdir(), 'streamplane-boundaries-'));
  try {
    for (const [path, text] of Object.entries({ ...BASE, ...planted })) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    for (const name of ['platform', 'contracts', 'streaming', 'testkit']) {
      mkdirSync(join(root, 'node_modules', '@streamplane'), { recursive: true });
      symlinkSync(join(root, 'libs', name), join(root, 'node_modules', '@streamplane', name));
    }
    const { stdout } = await run(
      DEPCRUISE,
      ['--config', CONFIG, '--output-type', 'json', '--no-cache', 'libs', 'services', 'scripts'],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const report = JSON.parse(stdout) as { summary: { violations: Violation[] } };
    return report.summary.violations.map((violation) => ({
      rule: violation.rule.name,
      from: violation.from,
      to: violation.to,
    }));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Each case: a file planted in the miniature, and the rule that must report it. */
const PLANTED: Array<[string, Tree, string]> = [
  [
    'the platform importing contracts',
    {
      'libs/platform/src/discovery.ts':
        "import { contracts } from '@streamplane/contracts';\nexport const d = contracts;\n",
    },
    'platform-is-cross-cutting',
  ],
  [
    'a relative import into another package',
    { 'scripts/token.ts': "import { platform } from '../libs/platform/src/index';\nexport const t = platform;\n" },
    'relative-import-across-packages',
  ],
  [
    "one service reaching into another's domain",
    {
      'services/catalog/src/application/kids.ts':
        "import { profile } from '../../../profiles/src/domain/profile';\nexport const k = profile;\n",
    },
    'no-service-internals',
  ],
  [
    'product code using the test kit',
    { 'services/catalog/src/api/debug.ts': "import { kit } from '@streamplane/testkit';\nexport const d = kit;\n" },
    'product-code-never-uses-the-test-kit',
  ],
  [
    'domain code using Nest',
    {
      'services/catalog/src/domain/title.ts':
        "import { Injectable } from '@nestjs/common';\nexport const t = Injectable;\n",
    },
    'domain-is-plain-typescript',
  ],
  [
    'domain code reaching for the application',
    {
      'services/catalog/src/domain/rules.ts':
        "import { titles } from '../application/titles';\nexport const r = titles;\n",
    },
    'domain-is-plain-typescript',
  ],
  [
    'the application importing an adapter',
    {
      'services/catalog/src/application/listing.ts':
        "import { store } from '../adapters/store';\nexport const l = store;\n",
    },
    'application-depends-on-ports-not-adapters',
  ],
  [
    'an adapter calling a controller',
    {
      'services/catalog/src/adapters/cache.ts':
        "import { answer } from '../api/controller';\nexport const c = answer;\n",
    },
    'adapters-do-not-call-the-api',
  ],
  [
    'the streaming domain using gRPC',
    { 'libs/streaming/src/urls.ts': "import { status } from '@grpc/grpc-js';\nexport const u = status;\n" },
    'streaming-domain-is-plain',
  ],
];

describe('package boundaries', () => {
  let clean: Array<{ rule: string; from: string; to: string }>;
  let planted: Array<{ rule: string; from: string; to: string }>;

  beforeAll(async () => {
    // Two runs of the real tool: the miniature as it is, and with every wrong-way import planted at once
    // (each in a file of its own, so each report is traced to its case).
    [clean, planted] = await Promise.all([
      violationsOf({}),
      violationsOf(Object.assign({}, ...PLANTED.map(([, files]) => files)) as Tree),
    ]);
  }, 60_000);

  test('the miniature follows every rule', () => {
    expect(clean).toEqual([]);
  });

  test.each(PLANTED)('reports %s', (_case, files, rule) => {
    const [plantedFile] = Object.keys(files);
    expect(planted.filter((violation) => violation.from === plantedFile).map((violation) => violation.rule)).toContain(
      rule,
    );
  });

  test('reports nothing but the planted files', () => {
    const plantedFiles = new Set(PLANTED.flatMap(([, files]) => Object.keys(files)));
    expect(planted.filter((violation) => !plantedFiles.has(violation.from))).toEqual([]);
  });
});
