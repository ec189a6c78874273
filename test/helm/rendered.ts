import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { z } from 'zod';
import { SERVICE_NAMES, type ServiceName } from '@streamplane/contracts';
import type { Dependency } from '@streamplane/platform';
import { CHART, type KubernetesObject } from '@streamplane/testkit';

/**
 * What the helm tests share: the values variants, the facts the chart must agree with (taken from the code,
 * not restated), lookups over rendered objects, and a small NetworkPolicy evaluator.
 */

export const REPO_ROOT = join(__dirname, '..', '..');
const CI_VALUES = join(CHART, 'ci');

export interface Variant {
  name: string;
  /** Values files after the chart's values.yaml. */
  files: string[];
  /** The merged values, as helm sees them. */
  values: Values;
}

// Values are plain YAML data; the tests read them with paths they know.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Values = Record<string, any>;

function mergeValues(base: Values, override: Values): Values {
  const merged: Values = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object'
        ? mergeValues(current, value)
        : value;
  }
  return merged;
}

const readYaml = (file: string): Values => (parse(readFileSync(file, 'utf8')) as Values | null) ?? {};

/** The default values and every chart-testing variant under helm/streamplane/ci/. */
export const VARIANTS: Variant[] = [
  { name: 'default', files: [] as string[] },
  ...readdirSync(CI_VALUES)
    .filter((file) => file.endsWith('-values.yaml'))
    .sort()
    .map((file) => ({ name: file.replace(/-values\.yaml$/, ''), files: [join(CI_VALUES, file)] })),
].map((variant) => ({
  ...variant,
  values: variant.files.reduce(
    (values, file) => mergeValues(values, readYaml(file)),
    readYaml(join(CHART, 'values.yaml')),
  ),
}));

// ---- facts from the code ----

/** Whom each service calls: the DEPENDENCIES its package declares (`@streamplane/<service>/dependencies`). */
export function callGraph(): Record<ServiceName, ServiceName[]> {
  return Object.fromEntries(
    SERVICE_NAMES.map((service) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- one package per service, by name
      const { DEPENDENCIES } = require(`@streamplane/${service}/dependencies`) as { DEPENDENCIES: Dependency[] };
      return [service, DEPENDENCIES.map((dependency) => dependency.service.name as ServiceName)];
    }),
  ) as Record<ServiceName, ServiceName[]>;
}

/** Whom the edge calls: the DEPENDENCIES of `@streamplane/edge/dependencies`, as for a service. */
export function edgeCalls(): ServiceName[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded like the services' packages above
  const { DEPENDENCIES } = require('@streamplane/edge/dependencies') as { DEPENDENCIES: Dependency[] };
  return DEPENDENCIES.map((dependency) => dependency.service.name as ServiceName);
}

export type ConfigSchema = z.ZodObject<z.ZodRawShape>;

/** Each service's configuration schema (`@streamplane/<service>/config`, its export named *ConfigSchema). */
export async function configSchemas(): Promise<Record<ServiceName, ConfigSchema>> {
  const entries = await Promise.all(
    SERVICE_NAMES.map(async (service) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- one package per service, by name
      const module = require(`@streamplane/${service}/config`) as Record<string, unknown>;
      const [, schema] = Object.entries(module).find(([name]) => name.endsWith('ConfigSchema')) ?? [];
      if (!schema) throw new Error(`@streamplane/${service}/config exports no *ConfigSchema`);
      return [service, schema as ConfigSchema] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<ServiceName, ConfigSchema>;
}

// ---- lookups over rendered objects ----

export interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  securityContext?: SecurityContext;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

export interface Probe {
  grpc?: { port: number; service?: string };
  httpGet?: { path: string; port: number | string };
  tcpSocket?: { port: number | string };
  exec?: { command: string[] };
}

/** What the downward API gives a pod's containers, for each fieldRef the chart uses (as in a kind cluster). */
export const DOWNWARD_API: Readonly<Record<string, string>> = {
  'status.podIP': '10.244.1.23',
  'metadata.name': 'catalog-7d9f8b6c5-x2x4q',
  'metadata.namespace': 'streamplane',
};

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    secretKeyRef?: { name: string; key: string };
  };
}

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: SecurityContext;
  terminationGracePeriodSeconds?: number;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: unknown[];
}

/** A workload's pods: Deployments, StatefulSets and bare Pods (the helm test hook). */
export interface PodOwner {
  object: KubernetesObject;
  labels: Record<string, string>;
  spec: PodSpec;
}

export function ofKind(objects: KubernetesObject[], kind: string): KubernetesObject[] {
  return objects.filter((object) => object.kind === kind);
}

export function named(objects: KubernetesObject[], kind: string, name: string): KubernetesObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} rendered`);
  return found;
}

export function podOwners(objects: KubernetesObject[]): PodOwner[] {
  return objects.flatMap((object): PodOwner[] => {
    if (object.kind === 'Pod') {
      return [{ object, labels: object.metadata.labels ?? {}, spec: object.spec as PodSpec }];
    }
    if (object.kind === 'Deployment' || object.kind === 'StatefulSet') {
      const template = (object.spec as { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } })
        .template;
      return [{ object, labels: template.metadata.labels, spec: template.spec }];
    }
    if (object.kind === 'CronJob') {
      const { template } = (
        object.spec as {
          jobTemplate: { spec: { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } } };
        }
      ).jobTemplate.spec;
      return [{ object, labels: template.metadata.labels, spec: template.spec }];
    }
    return [];
  });
}

export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  if (selector.matchExpressions?.length) throw new Error('matchExpressions are not evaluated by these tests');
  return Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
}

/** Decodes the rendered Secret's data. */
export function secretData(secret: KubernetesObject): Record<string, string> {
  const data = (secret.data ?? {}) as Record<string, string>;
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]));
}

// ---- NetworkPolicy evaluation (one namespace; peers with a namespaceSelector or ipBlock are outside it) ----

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string };
}

interface NetworkPolicyRule {
  from?: NetworkPolicyPeer[];
  to?: NetworkPolicyPeer[];
  ports?: { port?: number | string; protocol?: string }[];
}

interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes: ('Ingress' | 'Egress')[];
  ingress?: NetworkPolicyRule[];
  egress?: NetworkPolicyRule[];
}

/** A pod of the release (its labels), or somewhere outside the namespace. */
export type Endpoint = { labels: Record<string, string> } | 'outside';

function peerMatches(peer: NetworkPolicyPeer, endpoint: Endpoint): boolean {
  if (endpoint === 'outside') return peer.podSelector === undefined || peer.namespaceSelector !== undefined;
  // A peer with only a podSelector means pods of the policy's own namespace.
  return (
    peer.namespaceSelector === undefined &&
    peer.ipBlock === undefined &&
    selects(peer.podSelector ?? {}, endpoint.labels)
  );
}

function ruleAllows(rule: NetworkPolicyRule, peers: NetworkPolicyPeer[] | undefined, endpoint: Endpoint, port: number) {
  const peerOk = peers === undefined || peers.some((peer) => peerMatches(peer, endpoint));
  const portOk =
    rule.ports === undefined || rule.ports.some((allowed) => allowed.port === undefined || allowed.port === port);
  return peerOk && portOk;
}

/** Whether the policies let `source` open a TCP connection to `target` on `port` (both directions checked). */
export function connectionAllowed(
  policies: KubernetesObject[],
  source: Endpoint,
  target: Endpoint,
  port: number,
): boolean {
  const specs = policies.map((policy) => policy.spec as NetworkPolicySpec);
  const isolating = (endpoint: Endpoint, type: 'Ingress' | 'Egress') =>
    endpoint === 'outside'
      ? []
      : specs.filter((spec) => spec.policyTypes.includes(type) && selects(spec.podSelector, endpoint.labels));
  const egress = isolating(source, 'Egress');
  const ingress = isolating(target, 'Ingress');
  const egressOk =
    egress.length === 0 ||
    egress.some((spec) => (spec.egress ?? []).some((rule) => ruleAllows(rule, rule.to, target, port)));
  const ingressOk =
    ingress.length === 0 ||
    ingress.some((spec) => (spec.ingress ?? []).some((rule) => ruleAllows(rule, rule.from, source, port)));
  return egressOk && ingressOk;
}

// ---- kubernetes-models, in a child process (see validate-objects.mjs) ----

export interface ValidationProblem {
  kind: string;
  name: string;
  error: string;
}

export function validateWithKubernetesModels(objects: KubernetesObject[]): Promise<ValidationProblem[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [join(__dirname, 'validate-objects.mjs')],
      { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`validate-objects.mjs failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as ValidationProblem[]);
      },
    );
    child.stdin?.end(JSON.stringify(objects));
  });
}
