import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { LOCAL_DEVELOPMENT_SECRET } from '@streamplane/streaming';
import { EDGE, SERVICE_NAMES, SERVICES, type ServiceName } from '@streamplane/contracts';
import { CHART, helm, renderChart, type KubernetesObject } from '@streamplane/testkit';
import {
  DOWNWARD_API,
  REPO_ROOT,
  VARIANTS,
  callGraph,
  configSchemas,
  connectionAllowed,
  edgeCalls,
  named,
  ofKind,
  podOwners,
  secretData,
  selects,
  validateWithKubernetesModels,
  type ConfigSchema,
  type Container,
  type Endpoint,
  type EnvVar,
  type LabelSelector,
  type PodOwner,
  type ValidationProblem,
  type Variant,
} from './rendered';
import { LIVENESS_HEALTH_SERVICE, staticAddressVariable } from '@streamplane/platform';
import { parseLoadArguments } from '@streamplane/tools';

/**
 * Renders the chart with its default values and every variant under helm/streamplane/ci/ (the real helm
 * binary), and holds each rendering to the Kubernetes API schemas and to what the code needs.
 */

const CALLS = callGraph();
const EDGE_CALLS = edgeCalls();
const rendered = new Map<string, KubernetesObject[]>();
const validation = new Map<string, ValidationProblem[]>();
let schemas: Record<ServiceName, ConfigSchema>;

beforeAll(async () => {
  const [renderings, loaded] = await Promise.all([
    Promise.all(VARIANTS.map((variant) => renderChart({ values: variant.files }))),
    configSchemas(),
  ]);
  schemas = loaded;
  VARIANTS.forEach((variant, index) => rendered.set(variant.name, renderings[index]));
  const problems = await Promise.all(renderings.map((objects) => validateWithKubernetesModels(objects)));
  VARIANTS.forEach((variant, index) => validation.set(variant.name, problems[index]));
}, 60_000);

/** A Kubernetes Secret of the user's own (secrets.existingSecret): plausible values for every documented key. */
const EXISTING_SECRET: Record<string, string> = {
  'auth-secret': 'an-existing-auth-secret-of-32-chars',
  'cdn-secret': 'an-existing-cdn-secret-of-32-chars!',
  'database-url': 'postgres://streamplane:password@postgres:5432/streamplane',
  'postgres-password': 'password',
  'redis-url': 'redis://:password@redis:6379/0',
  'redis-password': 'password',
};

/** What a service container's process sees: literal values, the downward API, and Secret keys resolved. */
function environmentOf(container: Container, objects: KubernetesObject[], values: Variant['values']) {
  const secret = values.secrets.existingSecret
    ? { name: values.secrets.existingSecret as string, data: EXISTING_SECRET }
    : { name: 'streamplane', data: secretData(named(objects, 'Secret', 'streamplane')) };
  const resolve = (variable: EnvVar): string => {
    const from = variable.valueFrom;
    if (from?.fieldRef) {
      const value = DOWNWARD_API[from.fieldRef.fieldPath];
      if (value === undefined) throw new Error(`${variable.name}: unexpected fieldRef`);
      return value;
    }
    if (from?.secretKeyRef) {
      const { name, key } = from.secretKeyRef;
      if (name !== secret.name) throw new Error(`${variable.name}: Secret ${name}, but the chart's is ${secret.name}`);
      if (!(key in secret.data)) throw new Error(`${variable.name}: Secret ${name} has no key ${key}`);
      return secret.data[key];
    }
    return variable.value ?? '';
  };
  return Object.fromEntries((container.env ?? []).map((variable) => [variable.name, resolve(variable)]));
}

/** The Deployment of each service, and its one container. */
function serviceWorkloads(objects: KubernetesObject[]): { name: ServiceName; owner: PodOwner; container: Container }[] {
  const owners = podOwners(objects);
  return SERVICE_NAMES.map((name) => {
    const owner = owners.find(
      (candidate) => candidate.object.kind === 'Deployment' && candidate.object.metadata.name === name,
    );
    if (!owner) throw new Error(`no Deployment ${name}`);
    expect(owner.spec.containers).toHaveLength(1);
    return { name, owner, container: owner.spec.containers[0] };
  });
}

/** Whether `host:port` names a rendered Service whose port leads to a container port of the pods it selects. */
function serviceResolves(objects: KubernetesObject[], host: string, port: number): boolean {
  const service = objects.find((object) => object.kind === 'Service' && object.metadata.name === host);
  if (!service) return false;
  const spec = service.spec as {
    selector: Record<string, string>;
    ports: { port: number; targetPort?: number | string }[];
  };
  const servicePort = spec.ports.find((candidate) => candidate.port === port);
  if (!servicePort) return false;
  const target = servicePort.targetPort ?? port;
  return podOwners(objects).some(
    (owner) =>
      selects({ matchLabels: spec.selector }, owner.labels) &&
      owner.spec.containers.some((container) =>
        (container.ports ?? []).some((candidate) => candidate.name === target || candidate.containerPort === target),
      ),
  );
}

describe.each(VARIANTS.map((variant) => [variant.name, variant] as const))('chart with %s values', (name, variant) => {
  const objects = (): KubernetesObject[] => rendered.get(name) ?? [];
  const values = variant.values;

  test('passes helm lint --strict', async () => {
    const result = await helm(['lint', '--strict', CHART, ...variant.files.flatMap((file) => ['--values', file])]);
    expect(result.stderr + result.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(result.code).toBe(0);
  });

  test('renders only objects that are valid against the Kubernetes OpenAPI schemas', () => {
    expect(objects().length).toBeGreaterThan(20);
    expect(validation.get(name)?.map((problem) => `${problem.kind} ${problem.name}: ${problem.error}`)).toEqual([]);
  });

  test('gives every container requests and limits and the strict security context, and long-running ones probes', () => {
    const problems: string[] = [];
    for (const owner of podOwners(objects())) {
      const where = `${owner.object.kind} ${owner.object.metadata.name}`;
      for (const container of [...(owner.spec.initContainers ?? []), ...owner.spec.containers]) {
        const at = `${where}, container ${container.name}`;
        for (const kind of ['requests', 'limits'] as const) {
          for (const resource of ['cpu', 'memory']) {
            if (container.resources?.[kind]?.[resource] === undefined) problems.push(`${at}: no ${kind}.${resource}`);
          }
        }
        const security = { ...owner.spec.securityContext, ...container.securityContext };
        if (security.runAsNonRoot !== true) problems.push(`${at}: runAsNonRoot is not true`);
        if (!Number.isInteger(security.runAsUser) || (security.runAsUser ?? 0) <= 0) {
          problems.push(`${at}: runAsUser is not a numeric non-root UID`);
        }
        if (security.readOnlyRootFilesystem !== true) problems.push(`${at}: root filesystem is writable`);
        if (security.allowPrivilegeEscalation !== false) problems.push(`${at}: privilege escalation allowed`);
        if (!security.capabilities?.drop?.includes('ALL')) problems.push(`${at}: capabilities not dropped`);
        if (security.capabilities?.add?.length) problems.push(`${at}: adds capabilities`);
        if (security.seccompProfile?.type !== 'RuntimeDefault') problems.push(`${at}: seccomp is not RuntimeDefault`);
      }
      // Init containers and what runs to completion (the test pod, the Security Monkey's CronJob) cannot have or need probes.
      if (owner.object.kind !== 'Pod' && owner.object.kind !== 'CronJob') {
        for (const container of owner.spec.containers) {
          if (!container.livenessProbe) problems.push(`${where}, container ${container.name}: no livenessProbe`);
          if (!container.readinessProbe) problems.push(`${where}, container ${container.name}: no readinessProbe`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('pins every image to a tag other than latest', () => {
    const images = podOwners(objects()).flatMap((owner) =>
      [...(owner.spec.initContainers ?? []), ...owner.spec.containers].map((container) => container.image),
    );
    for (const image of images) {
      const tag = /:([\w][\w.-]{0,127})$/.exec(image)?.[1];
      expect({ image, pinned: tag !== undefined && tag !== 'latest' }).toEqual({ image, pinned: true });
    }
  });

  test('names every Service port and selects pods that have its target ports', () => {
    for (const service of ofKind(objects(), 'Service')) {
      const spec = service.spec as { selector: Record<string, string>; ports: { name?: string; port: number }[] };
      for (const port of spec.ports) {
        expect({ service: service.metadata.name, port: port.port, named: Boolean(port.name) }).toEqual({
          service: service.metadata.name,
          port: port.port,
          named: true,
        });
        expect({
          service: service.metadata.name,
          port: port.port,
          resolves: serviceResolves(objects(), service.metadata.name, port.port),
        }).toEqual({
          service: service.metadata.name,
          port: port.port,
          resolves: true,
        });
      }
    }
  });

  test('matches workload, PodDisruptionBudget and HPA selectors to their pods', () => {
    const owners = podOwners(objects());
    // Pods and a CronJob's Jobs have no selector of their own.
    for (const owner of owners.filter((candidate) => !['Pod', 'CronJob'].includes(candidate.object.kind))) {
      const selector = (owner.object.spec as { selector: LabelSelector }).selector;
      expect({ workload: owner.object.metadata.name, selectsOwnPods: selects(selector, owner.labels) }).toEqual({
        workload: owner.object.metadata.name,
        selectsOwnPods: true,
      });
      // Exactly one workload behind each selector: no two components share pod labels.
      expect(
        owners.filter((other) => selects(selector, other.labels)).map((other) => other.object.metadata.name),
      ).toEqual([owner.object.metadata.name]);
    }
    const budgets = ofKind(objects(), 'PodDisruptionBudget');
    const edgeBudget =
      values.edge.enabled && { ...values.podDisruptionBudget, ...values.edge.podDisruptionBudget }.enabled;
    expect(budgets.map((budget) => budget.metadata.name).sort()).toEqual(
      [...(values.podDisruptionBudget.enabled ? SERVICE_NAMES : []), ...(edgeBudget ? ['edge'] : [])].sort(),
    );
    for (const budget of budgets) {
      const selector = (budget.spec as { selector: LabelSelector }).selector;
      const selected = owners
        .filter((owner) => selects(selector, owner.labels))
        .map((owner) => owner.object.metadata.name);
      expect(selected).toEqual([budget.metadata.name]);
    }
  });

  test('runs each service from the image with replicas, or an HPA, as the values say', () => {
    for (const { name: service, owner, container } of serviceWorkloads(objects())) {
      const entry = container.args?.[0] ?? '';
      expect(entry).toBe(`/app/services/${service}/dist/main.js`);
      // A package's dist/ mirrors its src/ (tsconfig rootDir "src"), so the entry point exists once built.
      expect(existsSync(join(REPO_ROOT, 'services', service, 'src', 'main.ts'))).toBe(true);
      const settings = { ...values.autoscaling, ...values.services[service].autoscaling };
      const spec = owner.object.spec as { replicas?: number };
      const hpa = objects().find(
        (object) => object.kind === 'HorizontalPodAutoscaler' && object.metadata.name === service,
      );
      if (settings.enabled) {
        expect(spec.replicas).toBeUndefined();
        expect(hpa?.spec).toMatchObject({
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: service },
          minReplicas: settings.minReplicas,
          maxReplicas: settings.maxReplicas,
        });
      } else {
        expect({ service, replicas: spec.replicas }).toEqual({ service, replicas: values.services[service].replicas });
        expect(hpa).toBeUndefined();
      }
    }
  });

  test('probes each service natively over gRPC on its plaintext health port: readiness on the overall health, liveness on the liveness name', () => {
    for (const { name: service, container } of serviceWorkloads(objects())) {
      // The kubelet has no client certificate: the probes ask HEALTH_PORT, whatever tls says.
      const healthPort = container.ports?.find((port) => port.name === 'health')?.containerPort;
      expect({ service, healthPort }).toEqual({ service, healthPort: values.services[service].healthPort });
      const healthPortVariable = container.env?.find((variable) => variable.name === 'HEALTH_PORT')?.value;
      expect({ service, healthPortVariable }).toEqual({ service, healthPortVariable: String(healthPort) });
      expect(container.readinessProbe?.grpc).toEqual({ port: healthPort });
      // Liveness must not follow the overall health, which is NOT_SERVING while a store is down.
      const alive = { port: healthPort, service: LIVENESS_HEALTH_SERVICE };
      expect({ service, liveness: container.livenessProbe?.grpc }).toEqual({ service, liveness: alive });
      expect({ service, startup: container.startupProbe?.grpc }).toEqual({ service, startup: alive });
    }
  });

  test("sets every variable each service's configuration schema needs, all valid", () => {
    for (const { name: service, container } of serviceWorkloads(objects())) {
      const schema = schemas[service];
      const environment = environmentOf(container, objects(), values);
      const parsed = schema.safeParse(environment);
      expect({ service, problems: parsed.success ? [] : parsed.error.issues }).toEqual({ service, problems: [] });
      // Required variables without a default, and secrets whose default is the local-development value.
      const defaults = schema.safeParse({});
      const required = defaults.success ? [] : defaults.error.issues.map((issue) => String(issue.path[0]));
      const localDefaults = defaults.success
        ? Object.entries(defaults.data).flatMap(([key, value]) => (value === LOCAL_DEVELOPMENT_SECRET ? [key] : []))
        : [];
      for (const variable of [...required, ...localDefaults]) {
        expect({ service, variable, set: variable in environment }).toEqual({ service, variable, set: true });
      }
      expect({ service, environment }).toMatchObject({
        service,
        environment: {
          STREAMPLANE_DISCOVERY: 'consul',
          GRPC_HOST: '0.0.0.0',
          POD_IP: '10.244.1.23',
          CONSUL_HTTP_ADDR: expect.stringMatching(/:\d+$/),
        },
      });
      // Every variable is one the service reads (a typo would be ignored silently); the OTEL_TRACES_SAMPLER
      // pair is read by the OpenTelemetry SDK itself.
      const known = new Set([...Object.keys(schema.shape), 'OTEL_TRACES_SAMPLER', 'OTEL_TRACES_SAMPLER_ARG']);
      expect({ service, unknown: Object.keys(environment).filter((variable) => !known.has(variable)) }).toEqual({
        service,
        unknown: [],
      });
      // A store is never left to the in-memory default: replicas would not share state.
      for (const store of ['DATABASE_URL', 'REDIS_URL']) {
        expect({ service, store, set: store in environment }).toEqual({ service, store, set: store in schema.shape });
      }
    }
  });

  test('tells every container of the services and the edge its pod and namespace (resource attributes)', () => {
    const platformProcesses = new Set<string>([...SERVICE_NAMES, EDGE.name]);
    const deployments = podOwners(objects()).filter(
      ({ object }) => object.kind === 'Deployment' && platformProcesses.has(object.metadata.name),
    );
    expect(deployments.map(({ object }) => object.metadata.name).sort()).toEqual(
      [...SERVICE_NAMES, ...(values.edge.enabled ? [EDGE.name] : [])].sort(),
    );
    // k8s.pod.name (also the service.instance.id) and k8s.namespace.name of every span and of target_info.
    const podIdentity: EnvVar[] = [
      { name: 'K8S_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'K8S_NAMESPACE_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    ];
    for (const { object, spec } of deployments) {
      for (const container of spec.containers) {
        const identity = (container.env ?? []).filter((variable) => variable.name.startsWith('K8S_'));
        expect({ deployment: object.metadata.name, container: container.name, identity }).toEqual({
          deployment: object.metadata.name,
          container: container.name,
          identity: podIdentity,
        });
      }
    }
  });

  test('points CONSUL_HTTP_ADDR, the OTLP endpoint and the store URLs at rendered Services or the external ones', () => {
    for (const { name: service, container } of serviceWorkloads(objects())) {
      const environment = environmentOf(container, objects(), values);
      if (values.consul.enabled) {
        const [host, port] = environment.CONSUL_HTTP_ADDR.split(':');
        expect({ service, consul: serviceResolves(objects(), host, Number(port)) }).toEqual({ service, consul: true });
      } else {
        expect(environment.CONSUL_HTTP_ADDR).toBe(values.consul.externalAddress.replace(/^http:\/\//, ''));
      }
      const otlp = environment.OTEL_EXPORTER_OTLP_ENDPOINT;
      if (values.jaeger.enabled) {
        const url = new URL(otlp);
        expect({ service, jaeger: serviceResolves(objects(), url.hostname, Number(url.port)) }).toEqual({
          service,
          jaeger: true,
        });
      } else if (values.jaeger.externalOtlpEndpoint) {
        expect(otlp).toBe(values.jaeger.externalOtlpEndpoint);
      } else {
        expect(otlp).toBeUndefined();
      }
      for (const [variable, store] of [
        ['DATABASE_URL', 'postgresql'],
        ['REDIS_URL', 'redis'],
      ] as const) {
        if (!(variable in environment)) continue;
        const url = new URL(environment[variable]);
        if (values[store].enabled) {
          expect({ service, variable, resolves: serviceResolves(objects(), url.hostname, Number(url.port)) }).toEqual({
            service,
            variable,
            resolves: true,
          });
        } else if (!values.secrets.existingSecret) {
          expect(environment[variable]).toBe(values[store].externalUrl);
        }
      }
    }
  });

  test('gives pods more termination grace than SHUTDOWN_DELAY_MS + SHUTDOWN_DRAIN_MS + the 5 s span flush', () => {
    for (const { name: service, owner, container } of serviceWorkloads(objects())) {
      const { SHUTDOWN_DELAY_MS, SHUTDOWN_DRAIN_MS } = schemas[service].parse(
        environmentOf(container, objects(), values),
      );
      const graceMs = (owner.spec.terminationGracePeriodSeconds ?? 30) * 1000;
      expect({ service, enough: graceMs > Number(SHUTDOWN_DELAY_MS) + Number(SHUTDOWN_DRAIN_MS) + 5000 }).toEqual({
        service,
        enough: true,
      });
    }
  });

  test('keeps generated secrets in a Secret that outlives the release, or uses the existing one', () => {
    const secrets = ofKind(objects(), 'Secret');
    if (values.secrets.existingSecret) {
      expect(secrets).toEqual([]);
      return;
    }
    expect(secrets.map((secret) => secret.metadata.name)).toEqual(['streamplane']);
    const [secret] = secrets;
    expect(secret.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
    const data = secretData(secret);
    expect(data['auth-secret'].length).toBeGreaterThanOrEqual(16);
    expect(data['cdn-secret'].length).toBeGreaterThanOrEqual(16);
    if (values.postgresql.enabled) {
      expect(data['database-url']).toContain(`:${data['postgres-password']}@`);
    }
    if (values.redis.enabled) expect(data['redis-url']).toContain(`:${data['redis-password']}@`);
  });

  test('lets each caller reach each callee and nothing else when NetworkPolicies are on', () => {
    const policies = ofKind(objects(), 'NetworkPolicy');
    if (!values.networkPolicy.enabled) {
      expect(policies).toEqual([]);
      return;
    }
    const pods = new Map<string, Endpoint>(
      podOwners(objects()).map((owner) => [owner.labels['app.kubernetes.io/name'], { labels: owner.labels }]),
    );
    const pod = (podName: string): Endpoint => {
      const endpoint = pods.get(podName);
      if (!endpoint) throw new Error(`no pod ${podName}`);
      return endpoint;
    };
    // The workloads of the call graph: the services and, when it is on, the edge (which keeps no store).
    const callers: string[] = [...SERVICE_NAMES, ...(values.edge.enabled ? ['edge'] : [])];
    const callsOf = (source: string): string[] =>
      source === 'edge' ? EDGE_CALLS : (CALLS[source as ServiceName] ?? []);
    const storeOf = (source: string): string | undefined => {
      const shape = schemas[source as ServiceName]?.shape ?? {};
      return 'DATABASE_URL' in shape ? 'postgresql' : 'REDIS_URL' in shape ? 'redis' : undefined;
    };
    const dependencyPods: Record<string, { pod: string; port: number }> = {
      consul: { pod: 'consul', port: 8500 },
      jaeger: { pod: 'jaeger', port: 4317 },
      postgresql: { pod: 'postgres', port: 5432 },
      redis: { pod: 'redis', port: 6379 },
    };
    const wrong: string[] = [];
    const check = (what: string, expected: boolean, actual: boolean) => {
      if (expected !== actual) wrong.push(`${what}: expected ${expected ? 'allowed' : 'denied'}`);
    };

    for (const target of SERVICE_NAMES) {
      const port = values.services[target].port;
      const metricsPort = values.services[target].metricsPort;
      const healthPort = values.services[target].healthPort;
      for (const [source, endpoint] of pods) {
        // The control room reads every instance's health and metrics.
        const watches = source === 'control-room';
        // The Security Monkey probes the service port and reads the posture gauge on the metrics port.
        const probes = source === 'security-monkey';
        // Health checkers ask the plaintext health port, never the (mutual TLS) service port.
        const checksHealth = watches || source === 'consul' || source === 'chaos-monkey';
        const expected = callsOf(source).includes(target) || source === 'helm-test' || probes;
        check(`${source} → ${target}:${port}`, expected, connectionAllowed(policies, endpoint, pod(target), port));
        check(
          `${source} → ${target}:${healthPort}`,
          checksHealth,
          connectionAllowed(policies, endpoint, pod(target), healthPort),
        );
        check(
          `${source} → ${target}:${metricsPort}`,
          watches || probes,
          connectionAllowed(policies, endpoint, pod(target), metricsPort),
        );
      }
      check(
        `outside → ${target}:${port}`,
        values.networkPolicy.extraIngressFrom.length > 0,
        connectionAllowed(policies, 'outside', pod(target), port),
      );
      check(
        `outside → ${target}:${metricsPort}`,
        values.networkPolicy.metricsFrom.length > 0,
        connectionAllowed(policies, 'outside', pod(target), metricsPort),
      );
    }

    for (const source of callers) {
      for (const target of SERVICE_NAMES) {
        const port = values.services[target].port;
        check(
          `${source} → ${target}:${port}`,
          callsOf(source).includes(target),
          connectionAllowed(policies, pod(source), pod(target), port),
        );
      }
      for (const [dependency, { pod: podName, port }] of Object.entries(dependencyPods)) {
        const needed = dependency === 'consul' || dependency === 'jaeger' || storeOf(source) === dependency;
        const external = values[dependency].enabled === false;
        const externalPort =
          dependency === 'consul'
            ? Number(/(\d+)$/.exec(values.consul.externalAddress)?.[1])
            : Number(
                new URL(values[dependency].externalOtlpEndpoint || values[dependency].externalUrl || 'x://h').port ||
                  port,
              );
        const exported = dependency !== 'jaeger' || Boolean(values.jaeger.externalOtlpEndpoint);
        if (external) {
          check(
            `${source} → outside:${externalPort} (${dependency})`,
            needed && exported,
            connectionAllowed(policies, pod(source), 'outside', externalPort),
          );
        } else {
          check(`${source} → ${podName}:${port}`, needed, connectionAllowed(policies, pod(source), pod(podName), port));
        }
      }
      check(`${source} → DNS`, true, connectionAllowed(policies, pod(source), 'outside', 53));
      check(`${source} → outside:443`, false, connectionAllowed(policies, pod(source), 'outside', 443));
    }

    // The stores accept only the services that keep state in them; Consul and Jaeger every service and the edge.
    for (const [dependency, { pod: podName, port }] of Object.entries(dependencyPods)) {
      if (!pods.has(podName)) continue;
      for (const [source, endpoint] of pods) {
        if (source === podName) continue;
        const expected =
          callers.includes(source) &&
          (dependency === 'consul' || dependency === 'jaeger' || storeOf(source) === dependency);
        check(`${source} → ${podName}:${port}`, expected, connectionAllowed(policies, endpoint, pod(podName), port));
      }
    }

    // The edge serves viewers: its HTTP port is open to anyone whose own egress is not confined to the call
    // graph (no service calls it), its metrics port only to networkPolicy.metricsFrom and the control room.
    if (values.edge.enabled) {
      const { port, metricsPort } = values.edge;
      for (const [source, endpoint] of pods) {
        if (source === 'edge') continue;
        check(
          `${source} → edge:${port}`,
          !callers.includes(source),
          connectionAllowed(policies, endpoint, pod('edge'), port),
        );
        check(
          `${source} → edge:${metricsPort}`,
          source === 'control-room' || source === 'security-monkey',
          connectionAllowed(policies, endpoint, pod('edge'), metricsPort),
        );
      }
      check(`outside → edge:${port}`, true, connectionAllowed(policies, 'outside', pod('edge'), port));
      check(
        `outside → edge:${metricsPort}`,
        values.networkPolicy.metricsFrom.length > 0,
        connectionAllowed(policies, 'outside', pod('edge'), metricsPort),
      );
    }
    expect(wrong).toEqual([]);
  });
});

describe('chart: the load generator', () => {
  test('is off by default', () => {
    expect(ofKind(rendered.get('default')!, 'Job').map((job) => job.metadata.name)).not.toContain(
      'streamplane-load-generator',
    );
  });

  test('when on, is a Job running the load command from the platform image at every service address', () => {
    const objects = rendered.get('load-generator')!;
    const job = named(objects, 'Job', 'streamplane-load-generator') as KubernetesObject & {
      spec: { backoffLimit: number; template: { spec: { containers: Container[] } } };
    };
    expect(job.spec.backoffLimit).toBe(0);
    const [container] = job.spec.template.spec.containers;
    const service = serviceWorkloads(objects)[0]!.container;
    expect(container!.image).toBe(service.image);
    expect(container!.command).toEqual([
      'node',
      '/app/scripts/dist/load.js',
      '--rate',
      '50',
      '--duration',
      '2m',
      '--mix',
      'home=3,browse=3,play=2',
      '--max-in-flight',
      '500',
    ]);
    // The command's options are the ones `npm run load` accepts.
    expect(parseLoadArguments(container!.command!.slice(2))).toMatchObject({ rate: 50, durationMs: 120_000 });
    const env = new Map((container!.env ?? []).map((variable) => [variable.name, variable]));
    for (const name of SERVICE_NAMES) {
      const address = env.get(staticAddressVariable(name))?.value ?? '';
      const [host, port] = address.split(':');
      expect({ name, resolves: serviceResolves(objects, host!, Number(port)) }).toEqual({ name, resolves: true });
    }
    expect(env.get('STREAMPLANE_AUTH_SECRET')?.valueFrom?.secretKeyRef).toEqual({
      name: 'streamplane',
      key: 'auth-secret',
    });
  });
});

describe('chart', () => {
  test('knows the call graph the services declare', () => {
    // The chart's table (streamplane.serviceFacts) is checked against main.ts by the NetworkPolicy test above;
    // this pins the graph the design describes, so that a change to either is a deliberate one.
    expect(CALLS).toEqual({
      catalog: [],
      profiles: ['catalog'],
      recommendations: ['profiles', 'catalog'],
      'playback-authorization': ['profiles', 'billing', 'catalog', 'steering', 'subtitles'],
      subtitles: ['catalog'],
      billing: [],
      steering: ['recommendations'],
    });
  });

  test('defaults to the design ports and to the image of this version', () => {
    const defaults = VARIANTS[0].values;
    expect(Object.keys(defaults.services).sort()).toEqual([...SERVICE_NAMES].sort());
    for (const service of SERVICE_NAMES) {
      expect({
        service,
        port: defaults.services[service].port,
        metricsPort: defaults.services[service].metricsPort,
      }).toEqual({
        service,
        port: SERVICES[service].port,
        metricsPort: SERVICES[service].metricsPort,
      });
    }
    const chart = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')) as { appVersion: string };
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(chart.appVersion).toBe(version);
  });

  test('needs Kubernetes 1.27 or later (native gRPC probes)', async () => {
    const result = await helm(['template', 'streamplane', CHART, '--kube-version', '1.26.0']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/kubeVersion/);
  });

  test('prints how to reach the services, mint a token and open Jaeger', async () => {
    const result = await helm(['install', 'streamplane', CHART, '--namespace', 'streamplane', '--dry-run=client']);
    expect(result.code).toBe(0);
    const notes = result.stdout.slice(result.stdout.indexOf('NOTES:'));
    expect(notes).toContain('kubectl -n streamplane port-forward svc/catalog 50051:50051');
    expect(notes).toContain(
      'kubectl -n streamplane exec deploy/playback-authorization -- node scripts/dist/token.js acct-0001',
    );
    expect(notes).toContain('-H "authorization: Bearer $TOKEN"');
    expect(notes).toContain('kubectl -n streamplane port-forward svc/jaeger 16686:16686');
    expect(notes).toContain('helm -n streamplane test streamplane');
  });

  test('runs helm test as a hook pod that checks every service and plays a title with a minted token', async () => {
    const objects = await renderChart();
    const pod = named(objects, 'Pod', 'streamplane-test');
    expect(pod.metadata.annotations?.['helm.sh/hook']).toBe('test');
    const spec = pod.spec as { initContainers: Container[]; containers: Container[] };
    expect(spec.initContainers[0].command?.join(' ')).toContain('node /app/scripts/dist/token.js acct-0001');
    expect(spec.initContainers[0].env?.[0]).toMatchObject({
      name: 'STREAMPLANE_AUTH_SECRET',
      valueFrom: { secretKeyRef: { name: 'streamplane', key: 'auth-secret' } },
    });
    const script = spec.containers[0].args?.join('\n') ?? '';
    for (const service of SERVICE_NAMES) expect(script).toContain(`health ${service}:${SERVICES[service].port}`);
    expect(script).toContain('streamplane.playback.v1.PlaybackAuthorizationService');
    expect(script).toContain('/AuthorizePlayback');
    expect(script).toContain('/StopPlayback');
  });
});
