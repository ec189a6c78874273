#!/usr/bin/env node
// Generates TypeScript types for every proto message into libs/contracts/src/generated (not committed:
// `npm run build` regenerates them), with the same loader options the services use at run time.
// Output types (what a handler receives, what a client gets back) take the plain message names;
// input types (what is sent) are <Message>__Input.
'use strict';
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
const protoRoot = join(root, 'proto');
const outDir = join(root, 'libs', 'contracts', 'src', 'generated');

function protoFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? protoFiles(join(dir, entry.name))
      : entry.name.endsWith('.proto')
        ? [join(dir, entry.name)]
        : [],
  );
}

// Regenerating rewrites every file and so makes `tsc -b` recompile everything that imports them: skip it
// while the protos, this script and the generator are what they were for the last generation.
const stampFile = join(outDir, '.inputs-sha256');
const inputs = createHash('sha256');
for (const file of [...protoFiles(protoRoot).sort(), __filename, join(root, 'package-lock.json')]) {
  inputs.update(relative(root, file)).update(readFileSync(file));
}
const stamp = inputs.digest('hex');
if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) process.exit(0);

rmSync(outDir, { recursive: true, force: true });
execFileSync(
  join(root, 'node_modules', '.bin', 'proto-loader-gen-types'),
  [
    '--keepCase',
    '--longs=String',
    '--enums=String',
    '--defaults',
    '--oneofs',
    '--grpcLib=@grpc/grpc-js',
    '--inputTemplate=%s__Input',
    '--outputTemplate=%s',
    `--includeDirs=${protoRoot}`,
    `--outDir=${outDir}`,
    ...protoFiles(protoRoot).map((file) => relative(protoRoot, file)),
  ],
  { cwd: root, stdio: 'inherit' },
);

// One barrel per proto package directory, so code imports a package's messages from one place.
function writeBarrels(dir) {
  const entries = readdirSync(dir, { withFileTypes: true });
  const modules = entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && entry.name !== 'index.ts');
  if (modules.length > 0 && dir !== outDir) {
    const lines = modules.map((entry) => `export * from './${entry.name.slice(0, -'.ts'.length)}';`);
    writeFileSync(join(dir, 'index.ts'), `${lines.join('\n')}\n`);
  }
  for (const entry of entries) if (entry.isDirectory()) writeBarrels(join(dir, entry.name));
}
writeBarrels(outDir);
writeFileSync(stampFile, stamp);
