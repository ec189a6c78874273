import { join } from 'node:path';
import { IDENTITY_NAMES, SERVICE_NAMES, SERVICES } from '@streamplane/contracts';
import { CHART, renderChart, type KubernetesObject } from '@streamplane/testkit';
import { named, ofKind, podOwners, type Container, type PodOwner } from './rendered';

/**
 * Mutual TLS in the chart (values tls): on by default, every service and the edge mount exactly their own
 * identity's certificate as STREAMPLANE_TLS_DIR, made by a minimal hook Job or, with tls.certManager, by
 * cert-manager Certificates; probes and health checkers use the plaintext health port; `helm test` and the
 * load generator call as operator. The generic checks (API schemas, the Certificate's custom-resource
 * check, security contexts, each service's env against its config schema) run on the default and the
 * cert-manager variant in chart.test.ts.
 */

const CERT_MANAGER = join(CHART, 'ci', 'cert-manager-values.yaml');
const NAMESPACE = 'streamplane';
const TLS_DIR = '/etc/streamplane/tls';
const spiffe = (name: string) => `spiffe://streamplane.local/${name}`;

interface Volume {
  name: string;
  projected?: {
    defaultMode?: number;
    sources: { secret?: { name: string; items?: { key: string; path: string }[] } }[];
  };
}
type PodSpecWithVolumes = Omit<PodOwner['spec'], 'containers'> & {
  serviceAccountName?: string;
  volumes?: Volume[];
  securityContext?: { fsGroup?: number };
  containers: (Container & { volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] })[];
};

let byDefault: KubernetesObject[];
let withCertManager: KubernetesObject[];
let withoutTls: KubernetesObject[];

beforeAll(async () => {
  [byDefault, withCertManager, withoutTls] = await Promise.all([
    renderChart({ set: { 'edge.enabled': 'true', 'loadGenerator.enabled': 'true' } }),
    renderChart({ values: [CERT_MANAGER], set: { 'edge.enabled': 'true' } }),
    renderChart({
      set: { 'tls.enabled': 'false', 'edge.enabled': 'true', 'loadGenerator.enabled': 'true' },
    }),
  ]);
}, 60_000);

const env = (container: Container) =>
  Object.fromEntries((container.env ?? []).map((variable) => [variable.name, variable.value]));

/** The pod spec of the workload whose pods are labelled `name` (a Job counts too). */
function podSpec(objects: KubernetesObject[], name: string): PodSpecWithVolumes {
  const owner = podOwners(objects).find((candidate) => candidate.labels['app.kubernetes.io/name'] === name);
  if (owner) return owner.spec as PodSpecWithVolumes;
  const job = ofKind(objects, 'Job').find(
    (candidate) =>
      (candidate.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels[
        'app.kubernetes.io/name'
      ] === name,
  );
  if (!job) throw new Error(`no workload ${name}`);
  return (job.spec as { template: { spec: PodSpecWithVolumes } }).template.spec;
}

/** Where a pod's STREAMPLANE_TLS_DIR files come from: Secret name and key of ca.crt, tls.crt and tls.key. */
function tlsFiles(spec: PodSpecWithVolumes): Record<string, string> {
  const volume = spec.volumes?.find((candidate) => candidate.name === 'tls');
  const sources = volume?.projected?.sources ?? [];
  return Object.fromEntries(
    sources.flatMap(({ secret }) => (secret?.items ?? []).map((item) => [item.path, `${secret!.name}/${item.key}`])),
  );
}

const WORKLOADS = [...SERVICE_NAMES, 'edge'] as const;

describe('chart: mutual TLS by default (the hook Job)', () => {
  test.each(WORKLOADS)('%s calls and serves with TLS, mounting exactly its own identity', (name) => {
    const spec = podSpec(byDefault, name);
    const [container] = spec.containers;
    expect(env(container!)).toMatchObject({ STREAMPLANE_TLS: 'enabled', STREAMPLANE_TLS_DIR: TLS_DIR });
    expect(container!.volumeMounts).toContainEqual({ name: 'tls', mountPath: TLS_DIR, readOnly: true });
    expect(tlsFiles(spec)).toEqual({
      'ca.crt': 'streamplane-tls/ca.crt',
      'tls.crt': `streamplane-tls/${name}.crt`,
      'tls.key': `streamplane-tls/${name}.key`,
    });
    // The key readable by the pod's fsGroup, the container's own group, alone.
    expect(spec.volumes?.find((volume) => volume.name === 'tls')?.projected?.defaultMode).toBe(0o440);
    expect(spec.securityContext?.fsGroup).toBe(10001);
  });

  test('probes every service on its plaintext health port, which the Service also offers for health checkers', () => {
    for (const service of SERVICE_NAMES) {
      const [container] = podSpec(byDefault, service).containers;
      const healthPort = SERVICES[service].healthPort;
      expect(env(container!).HEALTH_PORT).toBe(String(healthPort));
      for (const probe of [container!.readinessProbe, container!.livenessProbe, container!.startupProbe]) {
        expect({ service, port: probe?.grpc?.port }).toEqual({ service, port: healthPort });
      }
      const ports = (named(byDefault, 'Service', service).spec as { ports: { name: string; port: number }[] }).ports;
      expect(ports).toContainEqual(expect.objectContaining({ name: 'health', port: healthPort, targetPort: 'health' }));
    }
  });

  test('makes every identity in one hook Job before install and upgrade, with a Role of get, create and update (of its one Secret) on secrets only', () => {
    const job = named(byDefault, 'Job', 'streamplane-tls-secret');
    expect(job.metadata.annotations).toMatchObject({
      'helm.sh/hook': 'pre-install,pre-upgrade',
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
    const spec = podSpec(byDefault, 'tls-secret');
    expect(spec.serviceAccountName).toBe('streamplane-tls-secret');
    const [container] = spec.containers;
    expect(container!.command!.slice(0, 6)).toEqual([
      'node',
      '/app/scripts/dist/tls-secret.js',
      '--secret',
      'streamplane-tls',
      '--namespace',
      NAMESPACE,
    ]);
    const identities = container!.command!.slice(6).filter((_, index) => index % 2 === 1);
    expect(identities.map((identity) => identity.split('=')[0]).sort()).toEqual([...IDENTITY_NAMES].sort());
    // Served workloads are valid for their Service's names, which grpcurl checks; callers only for their identity.
    expect(identities).toContain(`catalog=catalog,catalog.${NAMESPACE}.svc,catalog.${NAMESPACE}.svc.cluster.local`);
    expect(identities).toContain('operator');

    // The ServiceAccount and its Role exist before the Job (a lower hook weight) and go with it.
    for (const kind of ['ServiceAccount', 'Role', 'RoleBinding']) {
      const object = named(byDefault, kind, 'streamplane-tls-secret');
      expect(Number(object.metadata.annotations?.['helm.sh/hook-weight'])).toBeLessThan(
        Number(job.metadata.annotations?.['helm.sh/hook-weight']),
      );
    }
    const role = named(byDefault, 'Role', 'streamplane-tls-secret') as KubernetesObject & {
      rules: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[];
    };
    expect(role.rules).toEqual([
      {
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: ['streamplane-tls', 'streamplane-tls-ca'],
        verbs: ['get'],
      },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['streamplane-tls'], verbs: ['update'] },
    ]);
    expect(ofKind(byDefault, 'Certificate')).toEqual([]);
  });

  test('runs helm test as operator: grpcurl presents that certificate and checks the services against the CA', () => {
    const pod = named(byDefault, 'Pod', 'streamplane-test');
    const spec = pod.spec as PodSpecWithVolumes;
    expect(tlsFiles(spec)).toEqual({
      'ca.crt': 'streamplane-tls/ca.crt',
      'tls.crt': 'streamplane-tls/operator.crt',
      'tls.key': 'streamplane-tls/operator.key',
    });
    const grpcurl = spec.containers.find((container) => container.name === 'grpcurl')!;
    expect(grpcurl.volumeMounts).toContainEqual({ name: 'tls', mountPath: TLS_DIR, readOnly: true });
    // grpcurl runs as nobody, who may read the key through the pod's fsGroup.
    expect(spec.securityContext?.fsGroup).toBe(65534);
    const script = grpcurl.args!.join('\n');
    expect(script).toContain(`tls="-cacert ${TLS_DIR}/ca.crt -cert ${TLS_DIR}/tls.crt -key ${TLS_DIR}/tls.key"`);
    expect(script).not.toMatch(/-plaintext|-insecure/);
    const calls = script.split('\n').filter((line) => /\bgrpcurl\b/.test(line));
    expect(calls.length).toBeGreaterThanOrEqual(3);
    for (const call of calls) expect(call).toContain('grpcurl $tls ');
  });

  test('runs the load generator as operator', () => {
    const spec = podSpec(byDefault, 'load-generator');
    expect(env(spec.containers[0]!)).toMatchObject({ STREAMPLANE_TLS: 'enabled', STREAMPLANE_TLS_DIR: TLS_DIR });
    expect(tlsFiles(spec)['tls.crt']).toBe('streamplane-tls/operator.crt');
  });

  test("gives the control room and the Chaos Monkey the services' health ports", async () => {
    const objects = await renderChart({ set: { 'controlRoom.enabled': 'true', 'chaosMonkey.enabled': 'true' } });
    const targetsOf = (workload: string, variable: string) =>
      env(podSpec(objects, workload).containers[0]!)[variable]!.split(',').sort();
    expect(targetsOf('control-room', 'CONTROL_ROOM_TARGETS')).toEqual(
      SERVICE_NAMES.map(
        (name) => `${name}=${name}-instances:${SERVICES[name].healthPort}/${SERVICES[name].metricsPort}`,
      ).sort(),
    );
    expect(targetsOf('chaos-monkey', 'CHAOS_MONKEY_HEALTH_TARGETS')).toEqual(
      SERVICE_NAMES.map((name) => `${name}:${SERVICES[name].healthPort}`).sort(),
    );
  });
});

describe('chart: mutual TLS with cert-manager (tls.certManager)', () => {
  interface Certificate extends KubernetesObject {
    spec: {
      secretName: string;
      uris: string[];
      dnsNames?: string[];
      usages: string[];
      issuerRef: { name: string; kind: string; group: string };
    };
  }

  test('renders one Certificate per identity with its URI SAN, both usages and the issuer; no hook Job', () => {
    const certificates = ofKind(withCertManager, 'Certificate') as Certificate[];
    expect(certificates.map((certificate) => certificate.metadata.name).sort()).toEqual(
      IDENTITY_NAMES.map((name) => `streamplane-tls-${name}`).sort(),
    );
    for (const name of IDENTITY_NAMES) {
      const { spec } = named(withCertManager, 'Certificate', `streamplane-tls-${name}`) as Certificate;
      expect(spec.secretName).toBe(`streamplane-tls-${name}`);
      expect(spec.uris).toEqual([spiffe(name)]);
      expect(spec.usages).toEqual(expect.arrayContaining(['server auth', 'client auth']));
      expect(spec.issuerRef).toEqual({ name: 'my-issuer', kind: 'Issuer', group: 'cert-manager.io' });
    }
    expect((named(withCertManager, 'Certificate', 'streamplane-tls-steering') as Certificate).spec.dnsNames).toEqual([
      'steering',
      `steering.${NAMESPACE}.svc`,
      `steering.${NAMESPACE}.svc.cluster.local`,
    ]);
    expect(ofKind(withCertManager, 'Job')).toEqual([]);
    expect(ofKind(withCertManager, 'Role').map((role) => role.metadata.name)).not.toContain('streamplane-tls-secret');
  });

  test.each(WORKLOADS)("%s mounts its own Certificate's Secret", (name) => {
    expect(tlsFiles(podSpec(withCertManager, name))).toEqual({
      'ca.crt': `streamplane-tls-${name}/ca.crt`,
      'tls.crt': `streamplane-tls-${name}/tls.crt`,
      'tls.key': `streamplane-tls-${name}/tls.key`,
    });
  });
});

describe('chart: tls.enabled=false', () => {
  test('renders no certificates, no hook Job, no TLS volume; the services run in plaintext', () => {
    expect(ofKind(withoutTls, 'Certificate')).toEqual([]);
    expect(ofKind(withoutTls, 'Job').map((job) => job.metadata.name)).toEqual(['streamplane-load-generator']);
    expect(ofKind(withoutTls, 'Role')).toEqual([]);
    for (const name of [...WORKLOADS, 'load-generator']) {
      const spec = podSpec(withoutTls, name);
      expect({ name, volume: spec.volumes?.some((volume) => volume.name === 'tls') ?? false }).toEqual({
        name,
        volume: false,
      });
      const variables = env(spec.containers[0]!);
      expect({ name, tls: variables.STREAMPLANE_TLS, dir: variables.STREAMPLANE_TLS_DIR }).toEqual({
        name,
        tls: 'disabled',
        dir: undefined,
      });
    }
    const script = (named(withoutTls, 'Pod', 'streamplane-test').spec as PodSpecWithVolumes).containers
      .find((container) => container.name === 'grpcurl')!
      .args!.join('\n');
    expect(script).toContain('tls=-plaintext');
  });
});
