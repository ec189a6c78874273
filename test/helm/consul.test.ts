import { join } from 'node:path';
import { EDGE, SERVICE_NAMES, type ServiceName } from '@streamplane/contracts';
import { CHART, helm, renderChart, type KubernetesObject } from '@streamplane/testkit';
import {
  DOWNWARD_API,
  configSchemas,
  ofKind,
  podOwners,
  validateWithKubernetesModels,
  type ConfigSchema,
  type Container,
  type EnvVar,
  type PodOwner,
} from './rendered';

/**
 * The chart's Consul topologies, rendered by the real helm binary and held to the Kubernetes API schemas
 * and to what the services read: the dev agent (default), a node-local client agent (hostIP) over HTTPS
 * with an ACL token from a Secret, and consul-k8s 1.x catalog sync, where nothing registers itself.
 */

const EXTERNAL_CONSUL = join(CHART, 'ci', 'external-consul-values.yaml');
/** Client agents as a DaemonSet, reached over HTTPS at the node's IP, with an ACL token. */
const HOST_AGENT: Record<string, string> = {
  'consul.enabled': 'false',
  'consul.agent': 'hostIP',
  'consul.agentPort': '8501',
  'consul.tls.enabled': 'true',
  'consul.tls.caConfigMap': 'consul-ca',
  'consul.tls.caKey': 'consul-agent-ca.pem',
  'consul.tls.serverName': 'client.dc1.consul',
  'consul.aclToken.existingSecret': 'streamplane-consul-token',
  'networkPolicy.enabled': 'true',
  'edge.enabled': 'true',
};
/** What the kubelet gives status.hostIP (the node's address), besides the fields rendered.ts lists. */
const NODE_IP = '172.18.0.3';
const TOKEN_PLACEHOLDER = 'token-from-the-secret';

const renderings: Record<'default' | 'hostAgent' | 'catalogSync', KubernetesObject[]> = {
  default: [],
  hostAgent: [],
  catalogSync: [],
};
let schemas: Record<ServiceName, ConfigSchema>;

beforeAll(async () => {
  [renderings.default, renderings.hostAgent, renderings.catalogSync, schemas] = await Promise.all([
    renderChart(),
    renderChart({ set: HOST_AGENT }),
    renderChart({ values: [EXTERNAL_CONSUL] }),
    configSchemas(),
  ]);
}, 60_000);

/** The Deployments of the services and (when rendered) the edge, with their one container. */
function platformWorkloads(objects: KubernetesObject[]): { owner: PodOwner; container: Container }[] {
  const names = new Set<string>([...SERVICE_NAMES, EDGE.name]);
  return podOwners(objects)
    .filter(({ object }) => object.kind === 'Deployment' && names.has(object.metadata.name))
    .map((owner) => ({ owner, container: owner.spec.containers[0] }));
}

/** The pod's volumes (rendered.ts's PodSpec leaves them out). */
function volumesOf(owner: PodOwner): { name: string }[] {
  return (owner.spec as { volumes?: { name: string }[] }).volumes ?? [];
}

function consulEnv(container: Container): EnvVar[] {
  return (container.env ?? []).filter(
    (variable) => variable.name.startsWith('CONSUL_') || variable.name.startsWith('STREAMPLANE_CONSUL_'),
  );
}

/** The container's environment as the kubelet makes it: fieldRefs resolved, $(VAR) expanded, the token read. */
function environmentOf(container: Container): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const field = variable.valueFrom?.fieldRef?.fieldPath;
    environment[variable.name] = field
      ? field === 'status.hostIP'
        ? NODE_IP
        : (DOWNWARD_API[field] ?? '')
      : variable.valueFrom?.secretKeyRef
        ? TOKEN_PLACEHOLDER
        : (variable.value ?? '').replace(/\$\(([A-Z0-9_]+)\)/g, (reference, name: string) =>
            name in environment ? environment[name] : reference,
          );
  }
  return environment;
}

describe('the chart’s Consul topologies', () => {
  test('each rendering passes the Kubernetes API schemas', async () => {
    for (const objects of Object.values(renderings)) expect(await validateWithKubernetesModels(objects)).toEqual([]);
  });

  test('default: the chart’s dev agent over plain http, instances registering themselves', () => {
    for (const { owner, container } of platformWorkloads(renderings.default)) {
      expect({ workload: owner.object.metadata.name, consul: consulEnv(container) }).toEqual({
        workload: owner.object.metadata.name,
        consul: [{ name: 'CONSUL_HTTP_ADDR', value: 'consul:8500' }],
      });
      expect(volumesOf(owner).some((volume) => volume.name === 'consul-ca')).toBe(false);
    }
    expect(ofKind(renderings.default, 'Service').filter((service) => service.metadata.annotations)).toEqual([]);
  });

  describe('hostIP: the client agent of each pod’s node, over HTTPS with an ACL token', () => {
    test('builds CONSUL_HTTP_ADDR from the downward API’s status.hostIP, declared before it', () => {
      const workloads = platformWorkloads(renderings.hostAgent);
      expect(workloads.map(({ owner }) => owner.object.metadata.name).sort()).toEqual(
        [...SERVICE_NAMES, EDGE.name].sort(),
      );
      for (const { container } of workloads) {
        expect(consulEnv(container)).toEqual([
          { name: 'CONSUL_AGENT_HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
          { name: 'CONSUL_HTTP_ADDR', value: 'https://$(CONSUL_AGENT_HOST_IP):8501' },
          { name: 'CONSUL_CACERT', value: '/etc/streamplane/consul-ca/consul-agent-ca.pem' },
          { name: 'CONSUL_TLS_SERVER_NAME', value: 'client.dc1.consul' },
          {
            name: 'CONSUL_HTTP_TOKEN',
            valueFrom: { secretKeyRef: { name: 'streamplane-consul-token', key: 'token' } },
          },
        ]);
      }
    });

    test('mounts the CA read-only from its ConfigMap, where CONSUL_CACERT points', () => {
      for (const { owner, container } of platformWorkloads(renderings.hostAgent)) {
        expect(volumesOf(owner)).toContainEqual({
          name: 'consul-ca',
          configMap: { name: 'consul-ca', items: [{ key: 'consul-agent-ca.pem', path: 'consul-agent-ca.pem' }] },
        });
        expect(container.volumeMounts).toContainEqual({
          name: 'consul-ca',
          mountPath: '/etc/streamplane/consul-ca',
          readOnly: true,
        });
      }
    });

    test('gives every service a valid configuration that registers with the node’s agent', () => {
      for (const { owner, container } of platformWorkloads(renderings.hostAgent)) {
        const name = owner.object.metadata.name as ServiceName;
        if (!(name in schemas)) continue;
        const environment = environmentOf(container);
        const parsed = schemas[name].safeParse(environment);
        // Only the Consul variables are held here (chart.test.ts checks the rest, with the Secret's values).
        const problems = parsed.success
          ? []
          : parsed.error.issues.filter((issue) => /CONSUL_/.test(String(issue.path[0])));
        expect({ name, problems }).toEqual({ name, problems: [] });
        expect(environment.CONSUL_HTTP_ADDR).toBe(`https://${NODE_IP}:8501`);
        expect(environment.STREAMPLANE_CONSUL_REGISTRATION).toBeUndefined();
      }
    });

    test('lets the services’ NetworkPolicies reach the agents’ port', () => {
      const policies = ofKind(renderings.hostAgent, 'NetworkPolicy').filter((policy) =>
        (SERVICE_NAMES as readonly string[]).includes(policy.metadata.name),
      );
      expect(policies).toHaveLength(SERVICE_NAMES.length);
      for (const policy of policies) {
        const egress = (policy.spec as { egress: { ports?: { port: number }[] }[] }).egress;
        expect(egress.some((rule) => rule.ports?.some((port) => port.port === 8501))).toBe(true);
      }
    });
  });

  describe('catalogSync: consul-k8s 1.x, no client agents (ci/external-consul-values.yaml)', () => {
    test('the instances register nothing and look the services up under catalog sync’s names', () => {
      for (const { container } of platformWorkloads(renderings.catalogSync)) {
        expect(consulEnv(container)).toEqual([
          { name: 'CONSUL_HTTP_ADDR', value: 'https://consul-server.consul.svc:8501' },
          { name: 'CONSUL_CACERT', value: '/etc/streamplane/consul-ca/tls.crt' },
          { name: 'STREAMPLANE_CONSUL_REGISTRATION', value: 'none' },
          { name: 'STREAMPLANE_CONSUL_SERVICE_NAME', value: '{service}-streamplane' },
        ]);
      }
    });

    test('mounts consul-k8s’s CA Secret read-only', () => {
      for (const { owner } of platformWorkloads(renderings.catalogSync)) {
        expect(volumesOf(owner)).toContainEqual({
          name: 'consul-ca',
          secret: { secretName: 'consul-ca-cert', items: [{ key: 'tls.crt', path: 'tls.crt' }] },
        });
      }
    });

    test('asks catalog sync for each service’s Service, at its gRPC port', () => {
      for (const service of SERVICE_NAMES) {
        const rendered = ofKind(renderings.catalogSync, 'Service').find((object) => object.metadata.name === service);
        expect(rendered?.metadata.annotations).toEqual({
          'consul.hashicorp.com/service-sync': 'true',
          'consul.hashicorp.com/service-port': 'grpc',
        });
      }
    });

    test('follows consulPrefix and addK8SNamespaceSuffix in the names', async () => {
      const objects = await renderChart({
        values: [EXTERNAL_CONSUL],
        set: { 'consul.catalogSync.addK8SNamespaceSuffix': 'false', 'consul.catalogSync.consulPrefix': 'k8s-' },
      });
      for (const { container } of platformWorkloads(objects)) {
        expect(consulEnv(container)).toContainEqual({
          name: 'STREAMPLANE_CONSUL_SERVICE_NAME',
          value: 'k8s-{service}',
        });
      }
    });
  });

  test.each([
    [
      'hostIP without TLS listens on the plain port, with no CA',
      { 'consul.enabled': 'false', 'consul.agent': 'hostIP' },
      { name: 'CONSUL_HTTP_ADDR', value: '$(CONSUL_AGENT_HOST_IP):8500' },
    ],
    [
      'an https:// external address is kept as given',
      { 'consul.enabled': 'false', 'consul.externalAddress': 'https://consul.example.com:8501' },
      { name: 'CONSUL_HTTP_ADDR', value: 'https://consul.example.com:8501' },
    ],
  ])('%s', async (_what, set, expected) => {
    const objects = await renderChart({ set });
    for (const { owner, container } of platformWorkloads(objects)) {
      expect(consulEnv(container)).toContainEqual(expected);
      expect(volumesOf(owner).some((volume) => volume.name === 'consul-ca')).toBe(false);
    }
  });

  test.each([
    ['an unknown agent mode', { 'consul.enabled': 'false', 'consul.agent': 'sidecar' }, /\/consul\/agent'/],
    [
      'an unknown registration mode',
      { 'consul.enabled': 'false', 'consul.externalAddress': 'c:8500', 'consul.registration': 'none' },
      /\/consul\/registration'/,
    ],
    [
      'a CA from both a Secret and a ConfigMap',
      {
        'consul.enabled': 'false',
        'consul.externalAddress': 'c:8501',
        'consul.tls.enabled': 'true',
        'consul.tls.caSecret': 'a',
        'consul.tls.caConfigMap': 'b',
      },
      /\/consul\/tls'/,
    ],
    ['an ACL token for the dev agent', { 'consul.aclToken.existingSecret': 'token' }, /\/consul\/aclToken/],
    ['catalog sync with the dev agent', { 'consul.registration': 'catalogSync' }, /\/consul\/registration'/],
  ])('refuses %s', async (_what, set, names) => {
    const args = ['template', 'streamplane', CHART];
    for (const [key, value] of Object.entries(set)) args.push('--set', `${key}=${value}`);
    const result = await helm(args);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(names);
  });
});
