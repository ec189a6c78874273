import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SERVICE_NAMES, SERVICES } from '@streamplane/contracts';
import { CHART, helm, renderChart, type KubernetesObject } from '@streamplane/testkit';
import { chaosMonkeyConfigSchema, OPT_IN_LABEL, OPT_IN_VALUE } from '@streamplane/tools';
import { REPO_ROOT, VARIANTS, named, ofKind, podOwners, type Container, type EnvVar } from './rendered';

/**
 * The chart's Chaos Monkey: absent by default; when enabled one leashed pod from the platform's image with a
 * namespaced Role of exactly the calls it makes (never a ClusterRole), the opt-in label on the opted-in
 * services' pods only, and its configuration taken from the values as the monkey's own schema reads it.
 * The generic checks (schemas, security context, probes, selectors) run on the chaos-monkey variant in
 * chart.test.ts.
 */

const MONKEY_VARIANT = join(CHART, 'ci', 'chaos-monkey-values.yaml');

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

function monkeyContainer(objects: KubernetesObject[]): Container {
  const deployment = named(objects, 'Deployment', 'chaos-monkey') as KubernetesObject & {
    spec: { replicas: number; template: { spec: { containers: Container[]; serviceAccountName: string } } };
  };
  expect(deployment.spec.replicas).toBe(1);
  expect(deployment.spec.template.spec.serviceAccountName).toBe('chaos-monkey');
  const [container, ...others] = deployment.spec.template.spec.containers;
  expect(others).toEqual([]);
  return container!;
}

/** The container's environment with the downward API resolved as Kubernetes would in namespace `namespace`. */
function environmentOf(container: Container, namespace: string): Record<string, string> {
  const resolve = (variable: EnvVar & { valueFrom?: { fieldRef?: { fieldPath: string } } }) => {
    const path = variable.valueFrom?.fieldRef?.fieldPath;
    if (path === 'metadata.namespace') return namespace;
    if (path === 'metadata.name') return 'chaos-monkey-7d9f8-abcde';
    if (path) throw new Error(`${variable.name}: unexpected fieldRef ${path}`);
    return variable.value ?? '';
  };
  return Object.fromEntries((container.env ?? []).map((variable) => [variable.name, resolve(variable)]));
}

const permissions = (rules: Rule[]) =>
  rules.flatMap((rule) =>
    rule.apiGroups.flatMap((group) =>
      rule.resources.map((resource) => `${group || 'core'}/${resource}: ${[...rule.verbs].sort().join(',')}`),
    ),
  );

describe('chart: the Chaos Monkey', () => {
  let byDefault: KubernetesObject[];
  let enabled: KubernetesObject[];

  beforeAll(async () => {
    [byDefault, enabled] = await Promise.all([
      renderChart(),
      renderChart({ values: [MONKEY_VARIANT], namespace: 'chaos-lab' }),
    ]);
  }, 60_000);

  test('is not rendered by default, and no pod opts in', () => {
    const monkeyObjects = byDefault.filter((object) => object.metadata.name === 'chaos-monkey');
    expect(monkeyObjects).toEqual([]);
    // The one Role by default is the TLS hook Job's (tls.test.ts).
    expect(ofKind(byDefault, 'Role').map((role) => role.metadata.name)).toEqual(['streamplane-tls-secret']);
    const optedIn = podOwners(byDefault).filter((owner) => owner.labels[OPT_IN_LABEL] !== undefined);
    expect(optedIn).toEqual([]);
  });

  test('when enabled, runs one leashed monkey from the platform image with the defaults of Netflix', () => {
    const container = monkeyContainer(enabled);
    const catalog = named(enabled, 'Deployment', 'catalog') as KubernetesObject & {
      spec: { template: { spec: { containers: Container[] } } };
    };
    expect(container.image).toBe(catalog.spec.template.spec.containers[0]!.image);
    expect(container.command).toEqual(['node', '/app/scripts/dist/chaos/monkey/main.js']);
    // scripts/dist mirrors scripts/ (tsconfig rootDir "."), so the entry point exists once built.
    expect(existsSync(join(REPO_ROOT, 'scripts', 'chaos', 'monkey', 'main.ts'))).toBe(true);
    const config = chaosMonkeyConfigSchema.parse(environmentOf(container, 'chaos-lab'));
    expect(config).toMatchObject({
      CHAOS_MONKEY_LEASHED: true,
      CHAOS_MONKEY_MEAN_TIME_BETWEEN_KILLS_IN_WORK_DAYS: 2,
      CHAOS_MONKEY_MIN_TIME_BETWEEN_KILLS_IN_WORK_DAYS: 1,
      CHAOS_MONKEY_START_HOUR: 9,
      CHAOS_MONKEY_END_HOUR: 15,
      CHAOS_MONKEY_TIME_ZONE: 'America/Los_Angeles',
      CHAOS_MONKEY_MODE: 'evict',
      CHAOS_MONKEY_NAMESPACE: 'chaos-lab',
      METRICS_PORT: 9460,
    });
    // Its outage check asks every service's health at its Service's plaintext health port (no certificate).
    expect([...config.CHAOS_MONKEY_HEALTH_TARGETS].sort()).toEqual(
      SERVICE_NAMES.map((name) => `${name}:${SERVICES[name].healthPort}`).sort(),
    );
    // Every variable is one the monkey reads.
    const known = new Set(Object.keys(chaosMonkeyConfigSchema.shape));
    expect(Object.keys(environmentOf(container, 'chaos-lab')).filter((name) => !known.has(name))).toEqual([]);
  });

  test('passes every chaosMonkey value on to the monkey', async () => {
    // A values file, since --set reads 2.5 as a string.
    const values = join(mkdtempSync(join(tmpdir(), 'chaos-monkey-values-')), 'values.yaml');
    writeFileSync(
      values,
      stringify({
        chaosMonkey: {
          leashed: false,
          meanTimeBetweenKillsInWorkDays: 2.5,
          minTimeBetweenKillsInWorkDays: 3,
          startHour: 10,
          endHour: 16,
          timeZone: 'Europe/Amsterdam',
          mode: 'delete',
        },
      }),
    );
    const objects = await renderChart({ values: [MONKEY_VARIANT, values] });
    expect(chaosMonkeyConfigSchema.parse(environmentOf(monkeyContainer(objects), 'streamplane'))).toMatchObject({
      CHAOS_MONKEY_LEASHED: false,
      CHAOS_MONKEY_MEAN_TIME_BETWEEN_KILLS_IN_WORK_DAYS: 2.5,
      CHAOS_MONKEY_MIN_TIME_BETWEEN_KILLS_IN_WORK_DAYS: 3,
      CHAOS_MONKEY_START_HOUR: 10,
      CHAOS_MONKEY_END_HOUR: 16,
      CHAOS_MONKEY_TIME_ZONE: 'Europe/Amsterdam',
      CHAOS_MONKEY_MODE: 'delete',
    });
    // Deleting needs delete on pods and no eviction.
    expect(permissions((named(objects, 'Role', 'chaos-monkey').rules as Rule[]) ?? [])).toEqual([
      'apps/deployments: list,patch',
      'core/pods: delete,list',
      'core/events: create',
    ]);
  });

  test('grants, in a namespaced Role bound to its own ServiceAccount, exactly the calls it makes', () => {
    const role = named(enabled, 'Role', 'chaos-monkey');
    expect(permissions(role.rules as Rule[])).toEqual([
      'apps/deployments: list,patch',
      'core/pods: list',
      'core/pods/eviction: create',
      'core/events: create',
    ]);
    expect(named(enabled, 'RoleBinding', 'chaos-monkey')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'chaos-monkey' },
      subjects: [{ kind: 'ServiceAccount', name: 'chaos-monkey', namespace: 'chaos-lab' }],
    });
    named(enabled, 'ServiceAccount', 'chaos-monkey');
    // Only the monkey's pod gets an API token.
    const tokenHolders = podOwners(enabled)
      .filter(
        (owner) => (owner.spec as { automountServiceAccountToken?: boolean }).automountServiceAccountToken !== false,
      )
      .map((owner) => owner.object.metadata.name);
    expect(tokenHolders).toEqual(['chaos-monkey']);
  });

  test('never renders cluster-wide RBAC, in any variant', async () => {
    const renderings = await Promise.all(VARIANTS.map((variant) => renderChart({ values: variant.files })));
    for (const objects of [...renderings, enabled]) {
      expect(objects.filter((object) => /^Cluster(Role|RoleBinding)$/.test(object.kind))).toEqual([]);
    }
  });

  test('labels the pods of the opted-in services only, and nothing else', () => {
    const optedIn = ['catalog', 'recommendations', 'subtitles'];
    for (const owner of podOwners(enabled)) {
      const name = owner.object.metadata.name;
      expect({ name, label: owner.labels[OPT_IN_LABEL] }).toEqual({
        name,
        label: optedIn.includes(name) ? OPT_IN_VALUE : undefined,
      });
      // The Deployment's own selector never includes the label, so opting in or out does not replace the pods' owner.
      const selector = (owner.object.spec as { selector?: { matchLabels?: Record<string, string> } }).selector;
      expect(selector?.matchLabels?.[OPT_IN_LABEL]).toBeUndefined();
    }
  });

  test.each([
    [
      'an unknown mode',
      { 'chaosMonkey.mode': '"explode"' },
      /\/chaosMonkey\/mode': value must be one of 'evict', 'delete'/,
    ],
    [
      'a mean below one work day',
      { 'chaosMonkey.meanTimeBetweenKillsInWorkDays': '0.5' },
      /\/chaosMonkey\/meanTimeBetweenKillsInWorkDays': minimum: got 0.5, want 1/,
    ],
    ['an hour past midnight', { 'chaosMonkey.endHour': '25' }, /\/chaosMonkey\/endHour'/],
    [
      'work hours that end before they start',
      { 'chaosMonkey.startHour': '16', 'chaosMonkey.endHour': '9' },
      /chaosMonkey\.startHour \(16\) must be before chaosMonkey\.endHour \(9\)/,
    ],
    ['a time zone that is not an IANA name', { 'chaosMonkey.timeZone': '"PST 8"' }, /\/chaosMonkey\/timeZone'/],
    [
      'an opt-in that is not a boolean',
      { 'services.billing.chaosMonkey': '"yes"' },
      /\/services\/billing\/chaosMonkey': got string, want boolean/,
    ],
  ])('refuses %s, naming the value', async (_what, json, names) => {
    const args = ['template', 'streamplane', CHART];
    for (const [key, value] of Object.entries(json)) args.push('--set-json', `${key}=${value}`);
    const result = await helm(args);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(names);
  });
});
