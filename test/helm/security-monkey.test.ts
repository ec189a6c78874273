import { join } from 'node:path';
import { SERVICE_NAMES, SERVICES } from '@streamplane/contracts';
import { CHART, renderChart, type KubernetesObject } from '@streamplane/testkit';
import { DISALLOWED_CALLER_TLS_DIR, parseSecurityArguments } from '@streamplane/tools';
import { named, type Container, type EnvVar } from './rendered';

/**
 * The chart's Security Monkey: absent by default; when enabled a CronJob from the platform's image running
 * `chaos.js security --kubernetes` on the schedule of the values, with a namespaced Role that reads exactly
 * the six kinds it audits (get, list) and creates Events, and nothing on secrets. The generic checks
 * (schemas, security context, selectors) run on the security-monkey variant in chart.test.ts.
 */

const VARIANT = join(CHART, 'ci', 'security-monkey-values.yaml');

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const permissions = (rules: Rule[]) =>
  rules
    .flatMap((rule) =>
      rule.apiGroups.flatMap((group) =>
        rule.resources.map((resource) => `${group || 'core'}/${resource}: ${[...rule.verbs].sort().join(',')}`),
      ),
    )
    .sort();

interface CronJob extends KubernetesObject {
  spec: {
    schedule: string;
    concurrencyPolicy: string;
    jobTemplate: {
      spec: { backoffLimit: number; template: { spec: { serviceAccountName: string; containers: Container[] } } };
    };
  };
}

describe('chart: the Security Monkey', () => {
  let byDefault: KubernetesObject[];
  let enabled: KubernetesObject[];

  beforeAll(async () => {
    [byDefault, enabled] = await Promise.all([renderChart(), renderChart({ values: [VARIANT], namespace: 'sec-lab' })]);
  }, 60_000);

  test('is not rendered by default', () => {
    expect(byDefault.filter((object) => object.metadata.name === 'security-monkey')).toEqual([]);
  });

  test('its Role reads exactly pods, services, networkpolicies, roles, rolebindings and serviceaccounts, and creates events; never secrets', () => {
    const role = named(enabled, 'Role', 'security-monkey') as KubernetesObject & { rules: Rule[] };
    expect(permissions(role.rules)).toEqual([
      'core/events: create',
      'core/pods: get,list',
      'core/serviceaccounts: get,list',
      'core/services: get,list',
      'networking.k8s.io/networkpolicies: get,list',
      'rbac.authorization.k8s.io/rolebindings: get,list',
      'rbac.authorization.k8s.io/roles: get,list',
    ]);
    expect(JSON.stringify(role)).not.toContain('secret');
    expect(enabled.filter((object) => object.kind === 'ClusterRole' || object.kind === 'ClusterRoleBinding')).toEqual(
      [],
    );
    const binding = named(enabled, 'RoleBinding', 'security-monkey') as KubernetesObject & {
      roleRef: { kind: string; name: string };
      subjects: Array<{ kind: string; name: string; namespace: string }>;
    };
    expect(binding.roleRef).toMatchObject({ kind: 'Role', name: 'security-monkey' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'security-monkey', namespace: 'sec-lab' }]);
  });

  test('runs the built tool on the schedule of the values, one at a time, with every service and the edge to probe', () => {
    const cronJob = named(enabled, 'CronJob', 'security-monkey') as CronJob;
    expect(cronJob.spec).toMatchObject({ schedule: '*/30 * * * *', concurrencyPolicy: 'Forbid' });
    expect(cronJob.spec.jobTemplate.spec.backoffLimit).toBe(0);
    const pod = cronJob.spec.jobTemplate.spec.template.spec;
    expect(pod.serviceAccountName).toBe('security-monkey');
    const [container, ...others] = pod.containers;
    expect(others).toEqual([]);
    const [node, script, tool, ...args] = container!.command ?? [];
    expect([node, script, tool]).toEqual(['node', '/app/scripts/dist/chaos.js', 'security']);
    // The arguments parse as the tool itself reads them.
    expect(parseSecurityArguments(args)).toMatchObject({ kubernetes: true, failOn: 'high', withoutEdge: false });
    const env = Object.fromEntries(
      (container!.env ?? []).map((variable: EnvVar) => [variable.name, variable.value ?? 'from the downward API']),
    );
    for (const name of SERVICE_NAMES) {
      const variable = name.toUpperCase().replace(/-/g, '_');
      expect(env[`${variable}_ADDR`]).toBe(`${name}:${SERVICES[name].port}`);
      expect(env[`${variable}_METRICS_ADDR`]).toBe(`${name}:${SERVICES[name].metricsPort}`);
    }
    expect(env).toMatchObject({ EDGE_ADDR: 'edge:8080', EDGE_METRICS_ADDR: 'edge:9480' });
    // The signing secrets reach it as the load generator's do, from the kubelet: its Role reads no Secret.
    const fromSecrets = (container!.env ?? [])
      .filter((variable: EnvVar) => variable.valueFrom?.secretKeyRef)
      .map((variable: EnvVar) => [variable.name, variable.valueFrom!.secretKeyRef!.key]);
    expect(fromSecrets).toEqual([
      ['STREAMPLANE_AUTH_SECRET', 'auth-secret'],
      ['STREAMPLANE_CDN_SECRET', 'cdn-secret'],
    ]);
    // Under the chart's mutual TLS it probes as operator, and as app with the platform's own app certificate.
    expect(env).toMatchObject({
      STREAMPLANE_TLS: 'enabled',
      STREAMPLANE_TLS_DIR: '/etc/streamplane/tls',
      [DISALLOWED_CALLER_TLS_DIR]: '/etc/streamplane/tls-app',
    });
    const volumes = (pod as { volumes?: Array<{ name: string; projected?: unknown }> }).volumes ?? [];
    const mounts = Object.fromEntries((container!.volumeMounts ?? []).map((mount) => [mount.mountPath, mount.name]));
    expect(mounts).toEqual({ '/etc/streamplane/tls': 'tls', '/etc/streamplane/tls-app': 'app-tls' });
    expect(JSON.stringify(volumes.find((volume) => volume.name === 'tls'))).toContain('"key":"operator.crt"');
    const appVolume = JSON.stringify(volumes.find((volume) => volume.name === 'app-tls'));
    expect(appVolume).toContain('"key":"app.crt","path":"tls.crt"');
    expect(appVolume).toContain('"key":"app.key","path":"tls.key"');
  });

  test('without the edge it leaves the edge out', async () => {
    const withoutEdge = await renderChart({ set: { 'securityMonkey.enabled': 'true' } });
    const container = (named(withoutEdge, 'CronJob', 'security-monkey') as CronJob).spec.jobTemplate.spec.template.spec
      .containers[0]!;
    expect(container.command).toContain('--without-edge');
    expect((container.env ?? []).map((variable: EnvVar) => variable.name)).not.toContain('EDGE_ADDR');
  }, 60_000);
});
