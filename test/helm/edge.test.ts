import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EDGE } from '@streamplane/contracts';
import { edgeConfigSchema } from '@streamplane/edge/config';
import { ORIGIN_APPLIANCE_ID } from '@streamplane/streaming';
import { CHART, helm, renderChart, type KubernetesObject } from '@streamplane/testkit';
import {
  DOWNWARD_API,
  REPO_ROOT,
  VARIANTS,
  connectionAllowed,
  edgeCalls,
  named,
  ofKind,
  podOwners,
  secretData,
  type Container,
  type Endpoint,
  type EnvVar,
  type PodOwner,
} from './rendered';

/**
 * The chart's edge (services/edge): absent by default; when enabled a Deployment from the platform's image
 * with HTTP probes and the services' security context, a Service, a PodDisruptionBudget and NetworkPolicy
 * edges that follow the edge's own dependencies. Its configuration is held to the edge's own schema. The
 * generic checks (Kubernetes schemas, resources, probes, selectors, the call graph) run on the edge variant
 * in chart.test.ts.
 */

const EDGE_VARIANT = join(CHART, 'ci', 'edge-values.yaml');
const variant = VARIANTS.find((candidate) => candidate.name === 'edge')!;

type Deployment = KubernetesObject & {
  spec: {
    replicas: number;
    template: { metadata: { labels: Record<string, string> }; spec: PodOwner['spec'] & { containers: Container[] } };
  };
};

const deployment = (objects: KubernetesObject[], name: string) => named(objects, 'Deployment', name) as Deployment;

/** What a container's process sees: literal values, the downward API and the chart's Secret resolved. */
function environmentOf(container: Container, objects: KubernetesObject[]): Record<string, string> {
  const secret = secretData(named(objects, 'Secret', 'streamplane'));
  const resolve = (variable: EnvVar): string => {
    const downward = DOWNWARD_API[variable.valueFrom?.fieldRef?.fieldPath ?? ''];
    if (downward !== undefined) return downward;
    const reference = variable.valueFrom?.secretKeyRef;
    if (variable.valueFrom && !reference) throw new Error(`${variable.name}: unexpected valueFrom`);
    if (reference) {
      if (reference.name !== 'streamplane') throw new Error(`${variable.name}: Secret ${reference.name}`);
      const value = secret[reference.key];
      if (value === undefined) throw new Error(`${variable.name}: the Secret has no key ${reference.key}`);
      return value;
    }
    return variable.value ?? '';
  };
  return Object.fromEntries((container.env ?? []).map((variable) => [variable.name, resolve(variable)]));
}

describe('chart: the edge', () => {
  let byDefault: KubernetesObject[];
  let networkPolicyOnly: KubernetesObject[];
  let enabled: KubernetesObject[];
  let enabledWithDefaults: KubernetesObject[];

  beforeAll(async () => {
    [byDefault, networkPolicyOnly, enabled, enabledWithDefaults] = await Promise.all([
      renderChart(),
      renderChart({ set: { 'networkPolicy.enabled': 'true' } }),
      renderChart({ values: [EDGE_VARIANT] }),
      renderChart({ set: { 'edge.enabled': 'true' } }),
    ]);
  }, 60_000);

  test('is off by default, and nothing of it is rendered, not even in the other NetworkPolicies', () => {
    expect(variant.values.edge.enabled).toBe(true);
    for (const objects of [byDefault, networkPolicyOnly]) {
      expect(objects.filter((object) => object.metadata.name === 'edge')).toEqual([]);
      expect(podOwners(objects).filter((owner) => owner.labels['app.kubernetes.io/name'] === 'edge')).toEqual([]);
      expect(JSON.stringify(ofKind(objects, 'NetworkPolicy'))).not.toContain('"app.kubernetes.io/name":"edge"');
    }
    expect(ofKind(networkPolicyOnly, 'NetworkPolicy').length).toBeGreaterThan(0);
  });

  test('when enabled, runs the edge from the services’ image through the telemetry preload', () => {
    const edge = deployment(enabled, 'edge');
    const catalog = deployment(enabled, 'catalog').spec.template.spec.containers[0]!;
    expect(edge.spec.replicas).toBe(variant.values.edge.replicas);
    const [container, ...others] = edge.spec.template.spec.containers;
    expect(others).toEqual([]);
    expect(container!.image).toBe(catalog.image);
    // No command: the image's entrypoint (node --require …/register-telemetry.js) runs it, as it runs the services.
    expect(container!.command).toBeUndefined();
    expect(container!.args).toEqual(['/app/services/edge/dist/main.js']);
    expect(existsSync(join(REPO_ROOT, 'services', 'edge', 'src', 'main.ts'))).toBe(true);
    expect(container!.ports).toEqual([
      { name: 'http', containerPort: EDGE.httpPort, protocol: 'TCP' },
      { name: 'metrics', containerPort: EDGE.metricsPort, protocol: 'TCP' },
    ]);
    expect(container!.resources).toEqual(variant.values.edge.resources);
  });

  test('probes it over HTTP: readiness on /healthz, liveness and startup on /livez', () => {
    const [container] = deployment(enabled, 'edge').spec.template.spec.containers;
    expect(container!.readinessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container!.livenessProbe?.httpGet).toEqual({ path: '/livez', port: 'http' });
    expect(container!.startupProbe?.httpGet).toEqual({ path: '/livez', port: 'http' });
  });

  test('gives it the same pod and container security context as the services', () => {
    const edge = deployment(enabled, 'edge').spec.template.spec;
    const catalog = deployment(enabled, 'catalog').spec.template.spec;
    expect(edge.securityContext).toEqual(catalog.securityContext);
    expect(edge.containers[0]!.securityContext).toEqual(catalog.containers[0]!.securityContext);
    expect(edge.containers[0]!.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(edge.terminationGracePeriodSeconds).toBe(catalog.terminationGracePeriodSeconds);
  });

  test('configures it as its own schema reads it: discovery, OTLP, the CDN secret, appliances and the fill window', () => {
    const [container] = deployment(enabled, 'edge').spec.template.spec.containers;
    const catalogEnv = environmentOf(deployment(enabled, 'catalog').spec.template.spec.containers[0]!, enabled);
    const environment = environmentOf(container!, enabled);
    const parsed = edgeConfigSchema.safeParse(environment);
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    const config = edgeConfigSchema.parse(environment);
    expect(config).toMatchObject({
      HTTP_HOST: '0.0.0.0',
      HTTP_PORT: EDGE.httpPort,
      METRICS_PORT: EDGE.metricsPort,
      STREAMPLANE_DISCOVERY: 'consul',
      CONSUL_HTTP_ADDR: catalogEnv.CONSUL_HTTP_ADDR,
      OTEL_EXPORTER_OTLP_ENDPOINT: catalogEnv.OTEL_EXPORTER_OTLP_ENDPOINT,
      EDGE_FILL_REGION: 'us-east',
      EDGE_TITLE_CACHE_SIZE: 5000,
    });
    expect(config.EDGE_APPLIANCE_IDS).toEqual(new Set(['oca-us-east-00001', 'oca-us-east-00002', ORIGIN_APPLIANCE_ID]));
    expect(config.fillWindow.toString()).toBe('02:00-14:00 America/New_York');
    // The key steering signs with and playback-authorization falls back with, from the chart's Secret.
    const cdnSecret = (owner: Container) =>
      owner.env?.find((variable) => variable.name === 'STREAMPLANE_CDN_SECRET')?.valueFrom?.secretKeyRef;
    expect(cdnSecret(container!)).toEqual({ name: 'streamplane', key: 'cdn-secret' });
    for (const signer of ['steering', 'playback-authorization']) {
      expect(cdnSecret(deployment(enabled, signer).spec.template.spec.containers[0]!)).toEqual(cdnSecret(container!));
    }
    // Every variable is one the edge reads (the sampler pair is the OpenTelemetry SDK's).
    const known = new Set([
      ...Object.keys(edgeConfigSchema.in.shape),
      'OTEL_TRACES_SAMPLER',
      'OTEL_TRACES_SAMPLER_ARG',
    ]);
    expect(Object.keys(environment).filter((variable) => !known.has(variable))).toEqual([]);
  });

  test('defaults to every appliance and Open Connect’s 02:00-14:00 fill window', () => {
    const [container] = deployment(enabledWithDefaults, 'edge').spec.template.spec.containers;
    const config = edgeConfigSchema.parse(environmentOf(container!, enabledWithDefaults));
    expect(config.EDGE_APPLIANCE_IDS).toBe('all');
    expect(config.EDGE_FILL_REGION).toBeUndefined();
    expect(config.fillWindow.toString()).toBe('02:00-14:00 UTC');
    expect(ofKind(enabledWithDefaults, 'NetworkPolicy')).toEqual([]);
  });

  test('puts a Service with its http and metrics ports and a PodDisruptionBudget in front of its pods', () => {
    const service = named(enabled, 'Service', 'edge');
    const labels = deployment(enabled, 'edge').spec.template.metadata.labels;
    expect(service.spec).toMatchObject({
      type: 'ClusterIP',
      selector: { 'app.kubernetes.io/name': 'edge', 'app.kubernetes.io/instance': 'streamplane' },
      ports: [
        { name: 'http', port: EDGE.httpPort, targetPort: 'http', protocol: 'TCP' },
        { name: 'metrics', port: EDGE.metricsPort, targetPort: 'metrics', protocol: 'TCP' },
      ],
    });
    expect(labels).toMatchObject((service.spec as { selector: Record<string, string> }).selector);
    const budget = named(enabled, 'PodDisruptionBudget', 'edge');
    expect(budget.spec).toEqual({
      minAvailable: variant.values.podDisruptionBudget.minAvailable,
      selector: { matchLabels: (service.spec as { selector: Record<string, string> }).selector },
    });
  });

  test('lets it reach catalog and steering only, viewers reach its HTTP port and Prometheus its metrics', () => {
    expect(edgeCalls().sort()).toEqual(['catalog', 'steering']);
    const policies = ofKind(enabled, 'NetworkPolicy');
    expect(policies.map((policy) => policy.metadata.name)).toContain('edge');
    const pods = new Map<string, Endpoint>(
      podOwners(enabled).map((owner) => [owner.labels['app.kubernetes.io/name'], { labels: owner.labels }]),
    );
    const pod = (name: string) => pods.get(name)!;
    const { services } = variant.values;
    const allowed = (source: Endpoint, target: Endpoint, port: number) =>
      connectionAllowed(policies, source, target, port);
    expect(allowed(pod('edge'), pod('catalog'), services.catalog.port)).toBe(true);
    expect(allowed(pod('edge'), pod('steering'), services.steering.port)).toBe(true);
    expect(allowed(pod('edge'), pod('profiles'), services.profiles.port)).toBe(false);
    expect(allowed(pod('edge'), pod('playback-authorization'), services['playback-authorization'].port)).toBe(false);
    expect(allowed(pod('edge'), pod('consul'), 8500)).toBe(true);
    expect(allowed(pod('edge'), pod('jaeger'), 4317)).toBe(true);
    expect(allowed(pod('edge'), pod('redis'), 6379)).toBe(false);
    expect(allowed(pod('edge'), 'outside', 443)).toBe(false);
    expect(allowed('outside', pod('edge'), EDGE.httpPort)).toBe(true);
    expect(allowed('outside', pod('edge'), EDGE.metricsPort)).toBe(true); // the monitoring namespace
    expect(allowed(pod('helm-test'), pod('edge'), EDGE.httpPort)).toBe(true);
    expect(allowed(pod('helm-test'), pod('edge'), EDGE.metricsPort)).toBe(false);
    // The services' egress follows the call graph, in which no service calls the edge.
    expect(allowed(pod('catalog'), pod('edge'), EDGE.httpPort)).toBe(false);
  });

  test('prints how to reach it when enabled, and nothing about it otherwise', async () => {
    const notes = async (args: string[]) => {
      const result = await helm([
        'install',
        'streamplane',
        CHART,
        '--namespace',
        'streamplane',
        '--dry-run=client',
        ...args,
      ]);
      expect(result.code).toBe(0);
      return result.stdout.slice(result.stdout.indexOf('NOTES:'));
    };
    const on = await notes(['--values', EDGE_VARIANT]);
    expect(on).toContain('kubectl -n streamplane port-forward svc/edge 8080:8080');
    expect(on).toContain(
      "curl -H 'Host: <appliance_id>.oca.streamplane.example' 'http://localhost:8080/titles/tt00001",
    );
    expect(on).toContain('oca-us-east-00001,oca-us-east-00002');
    expect(await notes([])).not.toContain('svc/edge');
  });
});
