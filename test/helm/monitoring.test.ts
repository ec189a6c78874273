import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { EDGE, SERVICE_NAMES } from '@streamplane/contracts';
import { CHART, describeWhenInstalled, helm, renderChart, type KubernetesObject } from '@streamplane/testkit';
import {
  ALERTS_FILE,
  MONITORING_FILES,
  PROMETHEUS_INSTALL_HINT,
  promtool,
  withFiles,
} from '../observability/monitoring-files';
import { VARIANTS, named, ofKind, podOwners, selects, validateWithKubernetesModels, type Container } from './rendered';

/**
 * The chart's monitoring: Grafana dashboards as ConfigMaps for Grafana's sidecar, a ServiceMonitor over the
 * metrics ports, the alerting rules as a PrometheusRule and a ConfigMap, all off by default. The schemas of
 * every rendered object, these included, are checked for each variant by chart.test.ts; the rules and
 * dashboards themselves by test/observability.
 */

const MONITORING_VALUES = join(CHART, 'ci', 'monitoring-values.yaml');
const variant = VARIANTS.find((candidate) => candidate.name === 'monitoring')!;
const DASHBOARD_FILES = readdirSync(join(MONITORING_FILES, 'dashboards')).filter((file) => file.endsWith('.json'));
const NAMESPACE = 'streamplane';

interface ServiceMonitorSpec {
  namespaceSelector: { matchNames: string[] };
  selector: { matchLabels: Record<string, string> };
  endpoints: {
    port: string;
    path: string;
    interval: string;
    relabelings: { sourceLabels: string[]; regex: string; action: string }[];
  }[];
}

interface ServiceSpec {
  selector: Record<string, string>;
  ports: { name: string; port: number; targetPort: string | number }[];
}

/**
 * The targets a ServiceMonitor makes of the rendered Services, as the Prometheus Operator does: Services of
 * its namespaces whose labels it selects, their ports its endpoints name, kept by its relabelings.
 */
function scrapedPorts(objects: KubernetesObject[], monitor: KubernetesObject): { service: string; port: number }[] {
  const spec = monitor.spec as ServiceMonitorSpec;
  return ofKind(objects, 'Service').flatMap((service) => {
    if (!spec.namespaceSelector.matchNames.includes(NAMESPACE)) return [];
    if (!selects(spec.selector, service.metadata.labels ?? {})) return [];
    return spec.endpoints.flatMap((endpoint) => {
      const kept = endpoint.relabelings.every((relabeling) => {
        expect(relabeling).toMatchObject({ sourceLabels: ['__meta_kubernetes_service_name'], action: 'keep' });
        return new RegExp(`^(?:${relabeling.regex})$`).test(service.metadata.name);
      });
      const port = (service.spec as ServiceSpec).ports.find((candidate) => candidate.name === endpoint.port);
      return kept && port ? [{ service: service.metadata.name, port: port.port }] : [];
    });
  });
}

describe('chart: monitoring', () => {
  let byDefault: KubernetesObject[];
  let enabled: KubernetesObject[];
  let withControlRoom: KubernetesObject[];
  let servicesOnly: KubernetesObject[];

  beforeAll(async () => {
    [byDefault, enabled, withControlRoom, servicesOnly] = await Promise.all([
      renderChart({ namespace: NAMESPACE }),
      renderChart({ namespace: NAMESPACE, values: [MONITORING_VALUES] }),
      renderChart({ namespace: NAMESPACE, values: [MONITORING_VALUES], set: { 'controlRoom.enabled': 'true' } }),
      renderChart({ namespace: NAMESPACE, set: { 'serviceMonitor.enabled': 'true' } }),
    ]);
  }, 60_000);

  test('is off by default: no dashboards, ServiceMonitor or rules', () => {
    expect(ofKind(byDefault, 'ServiceMonitor')).toEqual([]);
    expect(ofKind(byDefault, 'PrometheusRule')).toEqual([]);
    expect(ofKind(byDefault, 'ConfigMap').map((configMap) => configMap.metadata.name)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^streamplane-(dashboard-|alerts)/)]),
    );
  });

  test('ships each dashboard file, unchanged, in a ConfigMap carrying the sidecar label', () => {
    const { label, labelValue, annotations } = variant.values.dashboards;
    const dashboards = ofKind(enabled, 'ConfigMap').filter((configMap) => configMap.metadata.labels?.[label]);
    expect(dashboards.map((configMap) => configMap.metadata.name).sort()).toEqual(
      DASHBOARD_FILES.map((file) => `streamplane-dashboard-${file.replace(/\.json$/, '')}`).sort(),
    );
    for (const file of DASHBOARD_FILES) {
      const configMap = named(enabled, 'ConfigMap', `streamplane-dashboard-${file.replace(/\.json$/, '')}`);
      expect(configMap.metadata.labels?.[label]).toBe(labelValue);
      expect(configMap.metadata.annotations).toEqual(annotations);
      const content = readFileSync(join(MONITORING_FILES, 'dashboards', file), 'utf8');
      // Block scalars drop the final newline (|-): the content is otherwise byte for byte the file's.
      expect(configMap.data).toEqual({ [`streamplane-${file}`]: content.replace(/\n$/, '') });
    }
  });

  test('takes the sidecar label from the values', async () => {
    const objects = await renderChart({
      set: {
        'dashboards.enabled': 'true',
        'dashboards.label': 'example.com/dashboard',
        'dashboards.labelValue': 'yes',
      },
    });
    const labelled = ofKind(objects, 'ConfigMap').filter(
      (configMap) => configMap.metadata.labels?.['example.com/dashboard'] === 'yes',
    );
    expect(labelled).toHaveLength(DASHBOARD_FILES.length);
    expect(labelled.every((configMap) => !('grafana_dashboard' in (configMap.metadata.labels ?? {})))).toBe(true);
  });

  test('scrapes the metrics port of every service and the edge, each pod once, with the labels asked for', () => {
    for (const objects of [enabled, withControlRoom]) {
      const monitor = named(objects, 'ServiceMonitor', 'streamplane');
      expect(monitor.metadata.labels).toMatchObject(variant.values.serviceMonitor.labels);
      expect((monitor.spec as ServiceMonitorSpec).endpoints).toMatchObject([
        { port: 'metrics', path: '/metrics', interval: variant.values.serviceMonitor.interval },
      ]);
      expect(scrapedPorts(objects, monitor).sort((a, b) => a.service.localeCompare(b.service))).toEqual(
        [...SERVICE_NAMES, EDGE.name]
          .map((name) => ({
            service: name,
            port: name === EDGE.name ? variant.values.edge.metricsPort : variant.values.services[name].metricsPort,
          }))
          .sort((a, b) => a.service.localeCompare(b.service)),
      );
    }
    // The headless Services of the control room select the same pods on the same port: not scraped twice.
    expect(ofKind(withControlRoom, 'Service').some((service) => service.metadata.name === 'catalog-instances')).toBe(
      true,
    );
    // Without the edge, the services alone.
    const monitor = named(servicesOnly, 'ServiceMonitor', 'streamplane');
    expect(
      scrapedPorts(servicesOnly, monitor)
        .map((target) => target.service)
        .sort(),
    ).toEqual([...SERVICE_NAMES].sort());
  });

  test('scrapes ports that lead to the containers serving metrics', () => {
    const monitor = named(enabled, 'ServiceMonitor', 'streamplane');
    for (const { service: name, port } of scrapedPorts(enabled, monitor)) {
      const spec = named(enabled, 'Service', name).spec as ServiceSpec;
      const targetPort = spec.ports.find((candidate) => candidate.port === port)!.targetPort;
      const containers = podOwners(enabled)
        .filter((owner) => selects({ matchLabels: spec.selector }, owner.labels))
        .flatMap((owner) => owner.spec.containers as Container[]);
      const served = containers
        .flatMap((container) => container.ports ?? [])
        .find((candidate) => candidate.name === targetPort);
      expect({ name, containerPort: served?.containerPort }).toEqual({ name, containerPort: port });
    }
  });

  test('renders the rules file as the PrometheusRule spec and as a ConfigMap, the same groups in both', () => {
    const rules = parse(readFileSync(ALERTS_FILE, 'utf8')) as { groups: unknown[] };
    const prometheusRule = named(enabled, 'PrometheusRule', 'streamplane');
    expect(prometheusRule.metadata.labels).toMatchObject(variant.values.alerts.labels);
    expect(prometheusRule.spec).toEqual(rules);
    const configMap = named(enabled, 'ConfigMap', 'streamplane-alerts');
    expect(parse((configMap.data as Record<string, string>)['alerts.yaml']!)).toEqual(rules);
  });

  test('the custom resources are held to their CRDs: a broken one is reported', async () => {
    const monitor = named(enabled, 'ServiceMonitor', 'streamplane');
    const rule = named(enabled, 'PrometheusRule', 'streamplane');
    const broken = [
      { ...monitor, spec: { ...(monitor.spec as object), selector: undefined } },
      {
        ...rule,
        spec: { groups: [{ name: 'g', rules: [{ alert: 'A', record: 'b', expr: 'up', for: '5 minutes' }] }] },
      },
    ];
    expect(await validateWithKubernetesModels([monitor, rule])).toEqual([]);
    expect(await validateWithKubernetesModels(broken)).toEqual([
      { kind: 'ServiceMonitor', name: 'streamplane', error: 'spec.selector: required' },
      {
        kind: 'PrometheusRule',
        name: 'streamplane',
        error: 'spec.groups[0].rules[0]: exactly one of alert and record; spec.groups[0].rules[0].for: bad duration',
      },
    ]);
  });

  test.each([
    ['a label key with a space', { 'dashboards.label': 'grafana dashboard' }, /\/dashboards\/label'/],
    [
      'a scrape interval that is no duration',
      { 'serviceMonitor.interval': '30 seconds' },
      /\/serviceMonitor\/interval'/,
    ],
    ['a label value too long', { 'alerts.labels.release': 'x'.repeat(64) }, /\/alerts\/labels\/release'/],
  ])('refuses %s, naming the value', async (_what, set, names) => {
    const result = await helm([
      'template',
      'streamplane',
      CHART,
      ...Object.entries(set).flatMap(([key, value]) => ['--set', `${key}=${value}`]),
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(names);
  });
});

describeWhenInstalled('promtool', PROMETHEUS_INSTALL_HINT, 'chart: the rendered rules under promtool', () => {
  test('the PrometheusRule spec is a rules file promtool accepts', async () => {
    const objects = await renderChart({ values: [MONITORING_VALUES] });
    const spec = named(objects, 'PrometheusRule', 'streamplane').spec;
    const result = await withFiles({ 'rules.yaml': stringify(spec) }, (dir) =>
      promtool(['check', 'rules', join(dir, 'rules.yaml')]),
    );
    expect({ code: result.code, output: result.output }).toEqual({
      code: 0,
      output: expect.stringContaining('SUCCESS'),
    });
  });
});
