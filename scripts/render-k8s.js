#!/usr/bin/env node
// `npm run k8s:render`: writes k8s/manifests/streamplane.yaml, the chart rendered for `kubectl apply -k k8s/`.
// `helm template` cannot read back a live Secret, so the secrets are fixed, local-development values
// (the same default the services use without configuration): never apply these manifests anywhere but a
// throwaway local cluster. test/helm/k8s-manifests.test.ts keeps the file identical to the chart.
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdirSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { installedHelmPath } = require('./ensure-helm.js');

const ROOT = join(__dirname, '..');
const OUTPUT = join(ROOT, 'k8s', 'manifests', 'streamplane.yaml');
const LOCAL_DEVELOPMENT_SECRET = 'streamplane-local-development-only';

const RENDER_ARGS = [
  'template',
  'streamplane',
  join(ROOT, 'helm', 'streamplane'),
  '--namespace',
  'streamplane',
  '--skip-tests',
  '--set',
  'image.tag=dev',
  '--set',
  `secrets.authSecret=${LOCAL_DEVELOPMENT_SECRET}`,
  '--set',
  `secrets.cdnSecret=${LOCAL_DEVELOPMENT_SECRET}`,
  '--set',
  `postgresql.password=${LOCAL_DEVELOPMENT_SECRET}`,
  '--set',
  `redis.password=${LOCAL_DEVELOPMENT_SECRET}`,
];

const HEADER =
  '# Rendered from helm/streamplane by `npm run k8s:render`; do not edit (test/helm/k8s-manifests.test.ts).\n' +
  '# Local development secrets only: for anything else install the chart, which generates real ones.\n';

function render() {
  return HEADER + execFileSync(installedHelmPath(), RENDER_ARGS, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

module.exports = { render, OUTPUT };

if (require.main === module) {
  mkdirSync(dirname(OUTPUT), { recursive: true });
  writeFileSync(OUTPUT, render());
  console.log(`wrote ${OUTPUT}`);
}
