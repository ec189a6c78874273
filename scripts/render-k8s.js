#!/usr/bin/env node
// `npm run k8s:render`: writes k8s/manifests/streamplane.yaml, the chart rendered for `kubectl apply -k k8s/`.
// `helm template` cannot read back a live Secret, so the secrets are fixed values published here: never
// apply these manifests anywhere but a throwaway local cluster. They are not the local-development secret,
// which the services refuse under the image's NODE_ENV=production, and they are at least 32 bytes, as the
// services require. test/helm/k8s-manifests.test.ts keeps the file identical to the chart.
// Mutual TLS stays on (tls.enabled, the chart's default): `kubectl apply` runs the chart's hook Job, which
// makes the Secret streamplane-tls, as an ordinary Job beside everything else, and the pods wait for that
// Secret's volume (the kubelet retries the mount) until it has run. Its CA is made in the cluster, never here.
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdirSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { installedHelmPath } = require('./ensure-helm.js');

const ROOT = join(__dirname, '..');
const OUTPUT = join(ROOT, 'k8s', 'manifests', 'streamplane.yaml');
/** The fixed value of one key of the chart's Secret (URL-safe: the passwords go into the store URLs). */
const published = (key) => `${key}-published-in-streamplane-k8s-manifests`;

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
  `secrets.authSecret=${published('auth-secret')}`,
  '--set',
  `secrets.cdnSecret=${published('cdn-secret')}`,
  '--set',
  `postgresql.password=${published('postgres-password')}`,
  '--set',
  `redis.password=${published('redis-password')}`,
];

const HEADER =
  '# Rendered from helm/streamplane by `npm run k8s:render`; do not edit (test/helm/k8s-manifests.test.ts).\n' +
  '# Its secrets are published: for anything but a throwaway cluster install the chart, which generates them.\n';

function render() {
  return HEADER + execFileSync(installedHelmPath(), RENDER_ARGS, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

module.exports = { render, OUTPUT };

if (require.main === module) {
  mkdirSync(dirname(OUTPUT), { recursive: true });
  writeFileSync(OUTPUT, render());
  console.log(`wrote ${OUTPUT}`);
}
