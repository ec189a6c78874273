import { builtinModules } from 'node:module';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { SERVICE_NAMES, SERVICES } from '@streamplane/contracts';
import { SERVICE_NODE_FLAGS } from '@streamplane/tools';
import { REPO_ROOT } from './rendered';

/**
 * The Dockerfile, read as Docker reads it, held to what the image needs: a reproducible build, production
 * dependencies only, a non-root user, and every file the services load at run time (compiled code, protos,
 * the token tool) without tests or development dependencies. No Docker engine is needed.
 */

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

/** Instructions by stage: comments and parser directives dropped, continuation lines joined. */
function parseDockerfile(text: string): Stage[] {
  const logicalLines: string[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    if (/\\\s*$/.test(line)) {
      pending += line.replace(/\\\s*$/, ' ');
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full) logicalLines.push(full);
  }
  const stages: Stage[] = [];
  for (const line of logicalLines) {
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') {
      const [image, as, name] = args.split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args: args.replace(/\s+/g, ' ').trim() });
    }
  }
  return stages;
}

function instructions(stage: Stage, keyword: string): string[] {
  return stage.instructions
    .filter((instruction) => instruction.keyword === keyword)
    .map((instruction) => instruction.args);
}

interface Copy {
  from?: string;
  sources: string[];
  destination: string;
}

function copies(stage: Stage): Copy[] {
  return instructions(stage, 'COPY').map((args) => {
    const words = args.split(' ');
    const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
    const paths = words.filter((word) => !word.startsWith('--'));
    return { from, sources: paths.slice(0, -1), destination: paths.at(-1) ?? '' };
  });
}

/** Whether a .dockerignore pattern list excludes `path` (or a directory above it). */
function ignored(patterns: string[], path: string): boolean {
  const toRegExp = (pattern: string) => {
    const escape = (part: string) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
    return new RegExp(`^${pattern.split('**').map(escape).join('.*')}$`);
  };
  const parts = path.split('/');
  const candidates = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
  // As Docker matches: each pattern against the path from the context's root, or against a directory above it.
  return patterns.some((pattern) => candidates.some((candidate) => toRegExp(pattern).test(candidate)));
}

const DOCKERFILE = parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
const DOCKERIGNORE = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));
const BUILD = DOCKERFILE[0];
const RUNTIME = DOCKERFILE[DOCKERFILE.length - 1];
const NODE_IMAGE = /^node:24\.\d+\.\d+-([a-z]+-)?(slim|alpine[\d.]*)$/;

/** The stage the runtime's root filesystem comes from: the one it copies `/` from when it starts from scratch. */
function runtimeBase(): Stage {
  if (RUNTIME.image !== 'scratch') return RUNTIME;
  const root = copies(RUNTIME).find((copy) => copy.sources.length === 1 && copy.sources[0] === '/');
  const stage = DOCKERFILE.find((candidate) => candidate.name !== undefined && candidate.name === root?.from);
  if (!stage) throw new Error('the runtime starts from scratch without copying / from a stage');
  return stage;
}

interface PackageJson {
  name: string;
  workspaces?: string[];
  exports?: Record<string, string | Record<string, string>>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const readPackage = (dir: string): PackageJson =>
  JSON.parse(readFileSync(join(REPO_ROOT, dir, 'package.json'), 'utf8')) as PackageJson;

/** Every workspace package directory (libs/platform, services/catalog, scripts, …). */
const WORKSPACES = (readPackage('.').workspaces ?? []).flatMap((pattern) =>
  pattern.endsWith('/*')
    ? readdirSync(join(REPO_ROOT, pattern.slice(0, -2))).map((name) => `${pattern.slice(0, -2)}/${name}`)
    : [pattern],
);

/** Workspace packages by name (@streamplane/platform → libs/platform). */
const WORKSPACE_BY_NAME = new Map(WORKSPACES.map((dir) => [readPackage(dir).name, dir]));

/** The package directories the build stage assembles into /app (its `for package in …` loop). */
function assembledPackages(): string[] {
  const loop = instructions(BUILD, 'RUN')
    .map((run) => /for package in ([^;]+);/.exec(run)?.[1])
    .find((list) => list !== undefined);
  if (!loop) throw new Error('the build stage assembles no packages into /app');
  return loop
    .trim()
    .split(' ')
    .flatMap((entry) =>
      entry.endsWith('/*') ? WORKSPACES.filter((dir) => dir.startsWith(entry.slice(0, -1))) : [entry],
    );
}

/** The source file (.ts) an image path below /app/<package>/dist/ is compiled from. */
function sourceOfImagePath(path: string): string {
  const [, packageDir, inner] = /^\/app\/((?:libs|services)\/[^/]+|scripts)\/dist\/(.*)\.js$/.exec(path) ?? [];
  if (!packageDir) throw new Error(`${path} is not compiled output of a package`);
  return packageDir === 'scripts' ? `scripts/${inner}.ts` : `${packageDir}/src/${inner}.ts`;
}

/** The source file a workspace specifier (@streamplane/x or @streamplane/x/sub) resolves to, as in the tests. */
function resolveWorkspaceSpecifier(specifier: string): string | undefined {
  const [scope, name, ...rest] = specifier.split('/');
  const dir = WORKSPACE_BY_NAME.get(`${scope}/${name}`);
  if (!dir) return undefined;
  const subpath = rest.length > 0 ? `./${rest.join('/')}` : '.';
  for (const [key, target] of Object.entries(readPackage(dir).exports ?? {})) {
    const source = typeof target === 'string' ? target : target['streamplane-source'];
    if (!source) continue;
    if (key === subpath) return posix.join(dir, source);
    if (key.includes('*')) {
      const [before, after] = key.split('*');
      if (subpath.startsWith(before) && subpath.endsWith(after)) {
        return posix.join(dir, source.replace('*', subpath.slice(before.length, subpath.length - after.length)));
      }
    }
  }
  throw new Error(`${specifier} is not an entry point of ${dir}`);
}

interface LockEntry {
  link?: boolean;
  resolved?: string;
  dev?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** Type packages: what only the compiler reads. */
const TYPES = /^@types\//;
/** Development tools: compilers, test runners, linters, formatters, bundlers, the proto linter. */
const TOOLS =
  /^(typescript|ts-node|tsx|ts-jest|jest|jest-.+|@jest\/.+|babel-jest|@babel\/core|eslint|eslint-.+|@eslint\/.+|typescript-eslint|@typescript-eslint\/.+|prettier|dependency-cruiser|@bufbuild\/buf(-.+)?|nodemon|esbuild|@swc\/core|webpack|rollup|npm|yarn|corepack)$/;

/**
 * The lockfile locations (node_modules/…) reachable from the `dependencies` (and optional and peer
 * dependencies) of the workspace packages `roots`, each name resolved from where it is required as Node
 * resolves it (the nearest node_modules/<name> upwards), workspace links followed.
 */
function productionTree(packages: Record<string, LockEntry>, roots: string[]): Set<string> {
  const resolve = (from: string, name: string): string | undefined => {
    for (let dir = from; ;) {
      const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (packages[candidate]) return candidate;
      if (!dir) return undefined;
      const parent = dir.replace(/(^|\/)node_modules\/(@[^/]+\/)?[^/]+$/, '');
      dir = parent === dir ? '' : parent;
    }
  };
  const reachable = new Set<string>();
  const visited = new Set<string>();
  const pending = [...roots];
  while (pending.length > 0) {
    const location = pending.pop() as string;
    if (visited.has(location)) continue;
    visited.add(location);
    const entry = packages[location];
    if (!entry) throw new Error(`${location} is not in package-lock.json`);
    if (entry.link) {
      pending.push(entry.resolved as string);
      continue;
    }
    if (location.includes('node_modules/')) reachable.add(location);
    const names = Object.keys({ ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies });
    for (const name of names) {
      const resolved = resolve(location, name);
      // Unresolved: an optional (peer) dependency nobody installs.
      if (resolved) pending.push(resolved);
    }
  }
  return reachable;
}

describe('Dockerfile', () => {
  test('builds in one stage and runs from another, both on a pinned Node 24 LTS image', () => {
    expect(DOCKERFILE.length).toBeGreaterThanOrEqual(2);
    expect(BUILD.name).toBeDefined();
    for (const stage of DOCKERFILE) {
      // The runtime starts from scratch, filled from a stage that is on the Node image (see below).
      if (stage === RUNTIME && stage.image === 'scratch') continue;
      // A full version and a slim or alpine variant: never `latest`, never a moving major.
      expect(stage.image).toMatch(NODE_IMAGE);
    }
    expect(runtimeBase().image).toMatch(NODE_IMAGE);
    expect(runtimeBase().image).toBe(BUILD.image);
  });

  test('leaves the package managers and the C headers out of the runtime image, not merely hidden in it', () => {
    // Removed in a layer of the runtime's own, they would still be shipped in the base's layer: the runtime is
    // one copy of a stage that removed them (FROM scratch, COPY --from=<stage> / /), or a base without them.
    expect(RUNTIME.image).toBe('scratch');
    expect(RUNTIME.instructions[0]).toEqual({ keyword: 'COPY', args: `--from=${runtimeBase().name} / /` });
    const removals = instructions(runtimeBase(), 'RUN')
      .flatMap((run) => run.split('&&'))
      .filter((command) => /^\s*rm -rf /.test(command))
      .flatMap((command) => command.trim().split(' ').slice(2));
    // Where node:*-bookworm-slim (as the official Dockerfile builds it) puts npm, npx, corepack and yarn.
    for (const path of [
      '/usr/local/lib/node_modules',
      '/usr/local/bin/npm',
      '/usr/local/bin/npx',
      '/usr/local/bin/corepack',
      '/usr/local/bin/yarn',
      '/usr/local/bin/yarnpkg',
      '/opt/yarn-v*',
      '/usr/local/include/node',
    ]) {
      expect({ path, removed: removals.includes(path) }).toEqual({ path, removed: true });
    }
    // What the node image sets and scratch would lose; YARN_VERSION, of the yarn removed, goes.
    expect(instructions(RUNTIME, 'ENV')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PATH=\/usr\/local\/sbin:\/usr\/local\/bin:/),
        'NODE_ENV=production',
      ]),
    );
    expect(instructions(RUNTIME, 'ENV').join(' ')).not.toMatch(/YARN/);
    // Nothing run in the image needs them: the entrypoint is node, and so is every command the chart gives it.
    expect(JSON.parse(instructions(RUNTIME, 'ENTRYPOINT')[0])[0]).toBe('node');
    const templates = readdirSync(join(REPO_ROOT, 'helm/streamplane/templates'), { recursive: true, encoding: 'utf8' })
      .filter((file) => /\.(yaml|tpl)$/.test(file))
      .map((file) => readFileSync(join(REPO_ROOT, 'helm/streamplane/templates', file), 'utf8'));
    for (const text of templates) {
      expect(text).not.toMatch(/^\s*-\s*(npm|npx|corepack|yarn)\s*$|["'](npm|npx|corepack|yarn)["']/m);
    }
  });

  test('installs exactly what the lockfile says, before the sources, and builds with npm run build', () => {
    const steps = BUILD.instructions.map((instruction) => `${instruction.keyword} ${instruction.args}`);
    const lockCopied = steps.findIndex((step) => /^COPY .*package-lock\.json/.test(step));
    const installed = steps.findIndex((step) => /^RUN npm ci\b/.test(step));
    const sourcesCopied = steps.findIndex((step) => /^COPY \. /.test(step));
    expect(lockCopied).toBeGreaterThanOrEqual(0);
    expect(installed).toBeGreaterThan(lockCopied);
    expect(sourcesCopied).toBeGreaterThan(installed);
    expect(instructions(BUILD, 'RUN').some((run) => run.includes('npm run build'))).toBe(true);
    for (const run of DOCKERFILE.flatMap((stage) => instructions(stage, 'RUN')))
      expect(run).not.toMatch(/npm (install|i)\b/);
  });

  test('runs with production dependencies only, as a numeric non-root user, in production mode', () => {
    // Development dependencies leave node_modules after the build, before anything is assembled for the image.
    const assembly = instructions(BUILD, 'RUN').find((run) => run.includes('npm run build')) ?? '';
    expect(assembly).toMatch(/npm run build .*npm prune --omit=dev .*cp -r --parents .*node_modules/);
    for (const run of instructions(RUNTIME, 'RUN')) expect(run).not.toMatch(/\bnpm\b/);
    expect(instructions(RUNTIME, 'ENV')).toContain('NODE_ENV=production');
    const user = instructions(RUNTIME, 'USER').at(-1) ?? '';
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user.split(':')[0])).toBeGreaterThan(0);
    // USER comes after every RUN and COPY of the stage: the service's own files are root's, read-only to it.
    const keywords = RUNTIME.instructions.map((instruction) => instruction.keyword);
    expect(keywords.lastIndexOf('USER')).toBeGreaterThan(
      Math.max(keywords.lastIndexOf('RUN'), keywords.lastIndexOf('COPY')),
    );
  });

  test('ships no types and no development tools: none is a runtime dependency, and @types packages are removed', () => {
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, LockEntry>;
    };
    const shipped = assembledPackages();
    // What a runtime package declares itself: never types or tools (they belong in devDependencies).
    const declared = shipped.flatMap((dir) =>
      Object.keys(readPackage(dir).dependencies ?? {}).map((name) => ({ dir, name })),
    );
    expect(declared.filter(({ name }) => TYPES.test(name) || TOOLS.test(name))).toEqual([]);
    // Everything reachable from them, resolved in the lockfile as Node resolves it: what `npm prune --omit=dev`
    // keeps for the image.
    const reachable = productionTree(lock.packages, shipped);
    expect(reachable.size).toBeGreaterThan(50);
    const names = [...reachable].map((location) => location.replace(/^.*node_modules\//, ''));
    expect(names.filter((name) => TOOLS.test(name))).toEqual([]);
    expect([...reachable].filter((location) => lock.packages[location].dev)).toEqual([]);
    // Some runtime dependencies (@kubernetes/client-node, @opentelemetry/instrumentation-pg) list @types
    // packages as dependencies of their own: the assembly removes every @types directory, and every type
    // declaration, TypeScript source and source map in node_modules, after copying node_modules into /app.
    const assembly = instructions(BUILD, 'RUN').find((run) => run.includes('npm run build')) ?? '';
    const afterCopy = assembly.slice(assembly.search(/cp -r --parents [^&]*\bnode_modules\b/));
    expect(afterCopy).toContain('find /app/node_modules -depth -type d -name @types -exec rm -rf {} +');
    expect(afterCopy).toMatch(/find \/app -type f .*-name '\*\.d\.ts' .*-delete/);
    expect(afterCopy).toMatch(/find \/app\/node_modules -type f .*-name '\*\.ts' .*-name '\*\.map' .*-delete/);
    // And the links npm leaves to workspaces the image does not hold (testkit, bench, the system tests).
    expect(afterCopy).toContain('find /app/node_modules -xtype l -delete');
  });

  test('preloads telemetry in the entrypoint and starts a service by default', () => {
    const [entrypoint] = instructions(RUNTIME, 'ENTRYPOINT');
    // The same V8 flags as every locally launched service (scripts/service-command.ts), then the preload.
    expect(JSON.parse(entrypoint)).toEqual([
      'node',
      ...SERVICE_NODE_FLAGS,
      '--require',
      '/app/libs/contracts/dist/register-telemetry.js',
    ]);
    const [command] = instructions(RUNTIME, 'CMD');
    const [main] = JSON.parse(command) as string[];
    expect(main).toMatch(/^\/app\/services\/[a-z-]+\/dist\/main\.js$/);
    for (const path of ['/app/libs/contracts/dist/register-telemetry.js', main]) {
      expect(existsSync(join(REPO_ROOT, sourceOfImagePath(path)))).toBe(true);
      // After `npm run build` (as `npm test` runs it) the compiled file is there too.
      expect(existsSync(join(REPO_ROOT, path.replace(/^\/app\//, '')))).toBe(true);
    }
  });

  test('exposes every gRPC and metrics port', () => {
    const exposed = instructions(RUNTIME, 'EXPOSE')
      .flatMap((args) => args.split(' '))
      .flatMap((port) => {
        const [from, to = from] = port.split('-').map(Number);
        return Array.from({ length: to - from + 1 }, (_, index) => from + index);
      });
    for (const service of SERVICE_NAMES) {
      expect(exposed).toEqual(expect.arrayContaining([SERVICES[service].port, SERVICES[service].metricsPort]));
    }
  });

  test('copies only sources that exist and that .dockerignore lets into the context', () => {
    for (const stage of DOCKERFILE) {
      for (const copy of copies(stage)) {
        for (const source of copy.sources) {
          if (copy.from === undefined) {
            if (source === '.') continue;
            expect({
              source,
              inContext: existsSync(join(REPO_ROOT, source)) && !ignored(DOCKERIGNORE, source),
            }).toEqual({
              source,
              inContext: true,
            });
          } else if (stage === RUNTIME && copy.destination === '/') {
            // Its root filesystem: the node stage, whole.
            expect({ from: copy.from, source }).toEqual({ from: runtimeBase().name, source: '/' });
          } else {
            // The runtime takes only what the build stage assembled in /app.
            expect({ from: copy.from, source }).toEqual({ from: BUILD.name, source: '/app' });
          }
        }
      }
    }
  });

  test('installs from every workspace package.json before the sources arrive', () => {
    const steps = BUILD.instructions.map((instruction) => `${instruction.keyword} ${instruction.args}`);
    const installed = steps.findIndex((step) => /^RUN npm ci\b/.test(step));
    for (const dir of WORKSPACES) {
      const copied = steps.findIndex((step) => step === `COPY ${dir}/package.json ${dir}/`);
      expect({ dir, copiedBeforeInstall: copied >= 0 && copied < installed }).toEqual({
        dir,
        copiedBeforeInstall: true,
      });
    }
  });

  test('gives the services the protos where proto-loader looks: proto/ beside the packages', () => {
    const assembly = instructions(BUILD, 'RUN').find((run) => run.includes('npm run build')) ?? '';
    expect(assembly).toMatch(/cp -r --parents [^&]*\bproto\b[^&]* \/app( |$)/);
    expect(instructions(RUNTIME, 'WORKDIR').at(-1)).toBe('/app');
    // libs/platform/src/proto/proto-loader.ts walks up from its own directory to the first proto/streamplane.
    expect(readFileSync(join(REPO_ROOT, 'libs/platform/src/proto/proto-loader.ts'), 'utf8')).toContain(
      "join(dir, 'proto')",
    );
  });

  test('ships everything the entry points load at run time, tests and development dependencies excluded', () => {
    const shipped = assembledPackages();
    const packageOf = (file: string) => WORKSPACES.find((dir) => file.startsWith(`${dir}/`));
    const isShipped = (file: string) => {
      const dir = packageOf(file);
      return dir !== undefined && shipped.includes(dir) && !file.split('/').includes('test');
    };
    const entryPoints = [
      sourceOfImagePath('/app/libs/contracts/dist/register-telemetry.js'),
      ...SERVICE_NAMES.map((service) => `services/${service}/src/main.ts`),
      'scripts/token.ts',
      // The load generator, which the chart's optional Job runs from the image.
      'scripts/load.ts',
    ];
    const seen = new Set<string>();
    const undeclared: string[] = [];
    const pending = [...entryPoints];
    while (pending.length > 0) {
      const file = pending.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      const text = readFileSync(join(REPO_ROOT, file), 'utf8');
      const specifiers = [
        ...text.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm),
        ...text.matchAll(/\b(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g),
      ].map((match) => match[1]);
      for (const specifier of specifiers) {
        if (specifier.startsWith('.')) {
          const base = join(dirname(file), specifier);
          const resolved = [`${base}.ts`, join(base, 'index.ts'), base].find(
            (candidate) => existsSync(join(REPO_ROOT, candidate)) && statSync(join(REPO_ROOT, candidate)).isFile(),
          );
          if (!resolved) throw new Error(`${file}: cannot resolve ${specifier}`);
          pending.push(relative('.', resolved));
        } else if (specifier.startsWith('@streamplane/')) {
          const resolved = resolveWorkspaceSpecifier(specifier);
          if (resolved) pending.push(resolved);
        } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
          // An npm package must be a production dependency of the package that loads it.
          const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
          const owner = packageOf(file) as string;
          if (!(name in (readPackage(owner).dependencies ?? {}))) undeclared.push(`${owner}: ${name}`);
        }
      }
    }
    expect([...seen].filter((file) => !isShipped(file))).toEqual([]);
    expect([...new Set(undeclared)].sort()).toEqual([]);
    expect(seen.size).toBeGreaterThan(50);
  });

  test('puts no secrets in the image', () => {
    for (const stage of DOCKERFILE) {
      for (const args of [...instructions(stage, 'ENV'), ...instructions(stage, 'ARG')]) {
        expect(args).not.toMatch(/SECRET|PASSWORD|TOKEN|_KEY\b/i);
      }
    }
  });
});

describe('.dockerignore', () => {
  test('keeps installed and built output, and local environment files, out of the build context', () => {
    for (const path of ['node_modules', 'dist', '.git', 'coverage', '.env', 'k8s', 'helm']) {
      expect({ path, ignored: ignored(DOCKERIGNORE, path) }).toEqual({ path, ignored: true });
    }
  });

  test('lets in everything `npm ci` and `npm run build` read', () => {
    const tsconfig = JSON.parse(readFileSync(join(REPO_ROOT, 'tsconfig.json'), 'utf8')) as {
      references: { path: string }[];
    };
    const compiledRoots = tsconfig.references.map((reference) => reference.path);
    const needed = [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.base.json',
      'proto',
      ...compiledRoots,
    ];
    for (const root of new Set(needed)) {
      expect({ root, inContext: !ignored(DOCKERIGNORE, root) }).toEqual({ root, inContext: true });
    }
    for (const script of readdirSync(join(REPO_ROOT, 'scripts')).filter((entry) => entry !== 'dist')) {
      expect({ script, inContext: !ignored(DOCKERIGNORE, `scripts/${script}`) }).toEqual({ script, inContext: true });
    }
  });
});
