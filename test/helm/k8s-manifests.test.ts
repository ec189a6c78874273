import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseManifests } from '@streamplane/testkit';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { render, OUTPUT } = require('@streamplane/tools/render-k8s') as { render: () => string; OUTPUT: string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { installedKubectlPath } = require('@streamplane/tools/ensure-helm') as {
  installedKubectlPath: () => string;
};

/** k8s/ serves `kubectl apply -k k8s/` users: it must be exactly what the chart renders. */
describe('k8s/ plain manifests', () => {
  it('are identical to the chart’s rendering (run `npm run k8s:render` after changing the chart)', () => {
    expect(readFileSync(OUTPUT, 'utf8')).toBe(render());
  });

  it('hold every service, its dependencies and the secret, the TLS Job as a plain Job, and no helm test pod', () => {
    const objects = parseManifests(readFileSync(OUTPUT, 'utf8'));
    const deployments = objects.filter((object) => object.kind === 'Deployment').map((object) => object.metadata.name);
    expect(deployments).toEqual(
      expect.arrayContaining([
        'catalog',
        'profiles',
        'recommendations',
        'playback-authorization',
        'subtitles',
        'billing',
        'steering',
        'consul',
        'jaeger',
      ]),
    );
    expect(
      objects
        .filter((object) => object.kind === 'StatefulSet')
        .map((object) => object.metadata.name)
        .sort(),
    ).toEqual(['postgres', 'redis']);
    // The only hooks are the TLS Secret's Job and its RBAC, which kubectl applies as ordinary objects (the pods
    // wait for the Secret's volume until the Job has run); no test hook.
    const hooks = objects.filter((object) => object.metadata.annotations?.['helm.sh/hook'] !== undefined);
    expect(hooks.map((object) => `${object.kind}/${object.metadata.name}`).sort()).toEqual([
      'Job/streamplane-tls-secret',
      'Role/streamplane-tls-secret',
      'RoleBinding/streamplane-tls-secret',
      'ServiceAccount/streamplane-tls-secret',
    ]);
    expect(hooks.every((object) => object.metadata.annotations?.['helm.sh/hook'] === 'pre-install,pre-upgrade')).toBe(
      true,
    );
  });

  it('build with kustomize into the streamplane namespace', () => {
    // kubectl carries kustomize; no cluster is contacted.
    const built = parseManifests(execFileSync(installedKubectlPath(), ['kustomize', 'k8s/'], { encoding: 'utf8' }));
    expect(built.find((object) => object.kind === 'Namespace')?.metadata.name).toBe('streamplane');
    const namespaced = built.filter((object) => object.kind !== 'Namespace');
    expect(namespaced.every((object) => object.metadata.namespace === 'streamplane')).toBe(true);
  });
});
