import type { Finding, Severity } from './findings';

/**
 * The Security Monkey's audits of one namespace, as pure functions over the Kubernetes objects it lists
 * (the fields they read, as the API returns them): every pod against the restricted Pod Security standard
 * and the chart's own posture, the namespace's RBAC, NetworkPolicy coverage and image pinning. No secret
 * is ever among the inputs.
 */

interface Metadata {
  name?: string;
  labels?: Record<string, string>;
}

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
}

export interface Container {
  name: string;
  image?: string;
  securityContext?: SecurityContext;
  ports?: Array<{ hostPort?: number }>;
}

export interface Pod {
  metadata?: Metadata;
  spec?: {
    containers: Container[];
    initContainers?: Container[];
    securityContext?: SecurityContext;
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    volumes?: Array<{ name: string; hostPath?: unknown }>;
    automountServiceAccountToken?: boolean;
    serviceAccountName?: string;
  };
}

export interface Service {
  metadata?: Metadata;
  spec?: { selector?: Record<string, string> };
}

export interface NetworkPolicy {
  metadata?: Metadata;
  spec?: {
    podSelector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
    policyTypes?: string[];
    ingress?: unknown[];
  };
}

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
}

export interface Role {
  metadata?: Metadata;
  rules?: PolicyRule[];
}

export interface RoleBinding {
  metadata?: Metadata;
  roleRef: { kind: string; name: string };
  subjects?: Array<{ kind: string; name: string }>;
}

export interface ServiceAccount {
  metadata?: Metadata;
  automountServiceAccountToken?: boolean;
}

/** What one namespace holds, as the monkey lists it. */
export interface NamespaceObjects {
  pods: Pod[];
  services: Service[];
  networkPolicies: NetworkPolicy[];
  roles: Role[];
  roleBindings: RoleBinding[];
  serviceAccounts: ServiceAccount[];
}

const finding = (rule: string, severity: Severity, subject: string, message: string, fix: string): Finding => ({
  rule,
  severity,
  subject,
  message,
  fix,
});

const nameOf = (object: { metadata?: Metadata }) => object.metadata?.name ?? '(unnamed)';

/** The restricted standard allows adding only this capability back. */
const ADDABLE_CAPABILITIES = new Set(['NET_BIND_SERVICE']);
const SECCOMP_PROFILES = new Set(['RuntimeDefault', 'Localhost']);

/** Every container's findings against the restricted standard and the chart's posture, and the pod's own. */
export function auditPod(
  pod: Pod,
  serviceAccounts: readonly ServiceAccount[] = [],
  boundAccounts = new Set<string>(),
): Finding[] {
  const subject = `pod/${nameOf(pod)}`;
  const spec = pod.spec;
  if (!spec) return [];
  const found: Finding[] = [];
  const podContext = spec.securityContext ?? {};
  const containers = [...(spec.initContainers ?? []), ...spec.containers];
  for (const container of containers) {
    const context = container.securityContext ?? {};
    const where = `${subject} container ${container.name}`;
    const runAsNonRoot = context.runAsNonRoot ?? podContext.runAsNonRoot;
    const runAsUser = context.runAsUser ?? podContext.runAsUser;
    if (runAsNonRoot !== true || runAsUser === 0) {
      found.push(
        finding(
          'pod-run-as-root',
          'high',
          subject,
          `${where} may run as root`,
          'set securityContext.runAsNonRoot: true and a non-zero runAsUser',
        ),
      );
    }
    if (context.privileged === true || context.allowPrivilegeEscalation !== false) {
      found.push(
        finding(
          'pod-privilege-escalation',
          'high',
          subject,
          `${where} is privileged or may escalate privileges`,
          'set allowPrivilegeEscalation: false and never privileged: true',
        ),
      );
    }
    const dropped = context.capabilities?.drop ?? [];
    const added = (context.capabilities?.add ?? []).filter((capability) => !ADDABLE_CAPABILITIES.has(capability));
    if (!dropped.includes('ALL') || added.length > 0) {
      found.push(
        finding(
          'pod-capabilities',
          'high',
          subject,
          `${where} keeps capabilities${added.length > 0 ? ` (adds ${added.join(', ')})` : ' (does not drop ALL)'}`,
          'set capabilities.drop: [ALL] and add nothing but NET_BIND_SERVICE',
        ),
      );
    }
    if (context.readOnlyRootFilesystem !== true) {
      found.push(
        finding(
          'pod-writable-root',
          'medium',
          subject,
          `${where} has a writable root filesystem`,
          'set readOnlyRootFilesystem: true and mount an emptyDir where it must write',
        ),
      );
    }
    const seccomp = context.seccompProfile?.type ?? podContext.seccompProfile?.type;
    if (!seccomp || !SECCOMP_PROFILES.has(seccomp)) {
      found.push(
        finding(
          'pod-seccomp',
          'medium',
          subject,
          `${where} has no seccomp profile (${seccomp ?? 'unset'})`,
          'set securityContext.seccompProfile.type: RuntimeDefault',
        ),
      );
    }
    if (container.ports?.some((port) => port.hostPort)) {
      found.push(
        finding(
          'pod-host-port',
          'high',
          subject,
          `${where} binds a host port`,
          'remove hostPort; reach the pod through a Service',
        ),
      );
    }
    if (container.image && !/@sha256:[0-9a-f]{64}$/.test(container.image)) {
      found.push(
        finding(
          'image-not-pinned',
          'medium',
          subject,
          `${where} runs ${container.image}, not pinned by digest`,
          'refer to the image as name@sha256:<digest>',
        ),
      );
    }
  }
  const shared = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((field) => spec[field] === true);
  if (shared.length > 0) {
    found.push(
      finding(
        'pod-host-namespaces',
        'high',
        subject,
        `${subject} shares the node's ${shared.join(', ')}`,
        `remove ${shared.join(', ')} from the pod spec`,
      ),
    );
  }
  const hostPaths = (spec.volumes ?? []).filter((volume) => volume.hostPath !== undefined).map((volume) => volume.name);
  if (hostPaths.length > 0) {
    found.push(
      finding(
        'pod-host-path',
        'high',
        subject,
        `${subject} mounts the node's filesystem (${hostPaths.join(', ')})`,
        'use an emptyDir, a ConfigMap or a PersistentVolumeClaim instead of hostPath',
      ),
    );
  }
  const account = spec.serviceAccountName ?? 'default';
  const accountAutomount = serviceAccounts.find(
    (candidate) => nameOf(candidate) === account,
  )?.automountServiceAccountToken;
  const automounted = spec.automountServiceAccountToken ?? accountAutomount ?? true;
  // A pod whose account a RoleBinding grants something needs its token (the monkeys call the API).
  if (automounted && !boundAccounts.has(account)) {
    found.push(
      finding(
        'pod-service-account-token',
        'medium',
        subject,
        `${subject} has an API token mounted (service account ${account}) it has no role for`,
        'set automountServiceAccountToken: false on the pod or its service account',
      ),
    );
  }
  return found;
}

/** Wildcards in a Role's rules: a grant that widens by itself whenever the API grows. */
export function auditRole(role: Role): Finding[] {
  const subject = `role/${nameOf(role)}`;
  const wild = (role.rules ?? []).filter((rule) =>
    [...(rule.verbs ?? []), ...(rule.resources ?? []), ...(rule.apiGroups ?? [])].includes('*'),
  );
  return wild.length === 0
    ? []
    : [
        finding(
          'rbac-wildcard',
          'high',
          subject,
          `${subject} grants '*' in ${wild.length} rule(s)`,
          'name the apiGroups, resources and verbs the workload needs',
        ),
      ];
}

/** A binding, in the namespace, to the cluster's superuser role. */
export function auditRoleBinding(binding: RoleBinding): Finding[] {
  const subject = `rolebinding/${nameOf(binding)}`;
  if (binding.roleRef.kind !== 'ClusterRole' || binding.roleRef.name !== 'cluster-admin') return [];
  const who = (binding.subjects ?? []).map((one) => `${one.kind}/${one.name}`).join(', ') || 'no subject';
  return [
    finding(
      'rbac-cluster-admin',
      'high',
      subject,
      `${subject} binds cluster-admin to ${who}`,
      'bind a namespaced Role with only the verbs needed',
    ),
  ];
}

/** Whether a NetworkPolicy's pod selector selects a pod with these labels. */
function selects(policy: NetworkPolicy, labels: Record<string, string>): boolean {
  const selector = policy.spec?.podSelector ?? {};
  // Expressions are not evaluated here: a policy that uses them is taken as not selecting, which errs towards a finding.
  if ((selector.matchExpressions ?? []).length > 0) return false;
  return Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
}

/** A default deny: every pod selected, ingress a policy type, and no ingress rule to let anything in. */
function isDefaultDeny(policy: NetworkPolicy): boolean {
  const selector = policy.spec?.podSelector ?? {};
  const selectsAll =
    Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
  return (
    selectsAll &&
    (policy.spec?.policyTypes ?? ['Ingress']).includes('Ingress') &&
    (policy.spec?.ingress ?? []).length === 0
  );
}

/** A default deny present, and every pod behind a Service selected by a policy other than that deny. */
export function auditNetworkPolicies(
  objects: Pick<NamespaceObjects, 'pods' | 'services' | 'networkPolicies'>,
): Finding[] {
  const found: Finding[] = [];
  const { pods, services, networkPolicies } = objects;
  if (!networkPolicies.some(isDefaultDeny)) {
    found.push(
      finding(
        'network-policy-default-deny',
        'high',
        'namespace',
        'no default-deny NetworkPolicy: pods accept traffic no policy names',
        'add a NetworkPolicy with podSelector: {} and policyTypes: [Ingress] and no ingress rules',
      ),
    );
  }
  const allowing = networkPolicies.filter((policy) => !isDefaultDeny(policy));
  for (const service of services) {
    const selector = service.spec?.selector;
    if (!selector || Object.keys(selector).length === 0) continue;
    const backends = pods.filter((pod) =>
      Object.entries(selector).every(([key, value]) => pod.metadata?.labels?.[key] === value),
    );
    const uncovered = backends.filter((pod) => !allowing.some((policy) => selects(policy, pod.metadata?.labels ?? {})));
    if (uncovered.length > 0) {
      found.push(
        finding(
          'network-policy-coverage',
          'medium',
          `service/${nameOf(service)}`,
          `${uncovered.length} pod(s) behind service/${nameOf(service)} are selected by no NetworkPolicy of their own (${uncovered.map(nameOf).join(', ')})`,
          'add a NetworkPolicy selecting these pods that names who may call them (networkPolicy.enabled in the chart)',
        ),
      );
    }
  }
  return found;
}

/** Every audit of the namespace. */
export function auditNamespace(objects: NamespaceObjects): Finding[] {
  const boundAccounts = new Set(
    objects.roleBindings.flatMap((binding) =>
      (binding.subjects ?? []).filter((one) => one.kind === 'ServiceAccount').map((one) => one.name),
    ),
  );
  return [
    ...objects.pods.flatMap((pod) => auditPod(pod, objects.serviceAccounts, boundAccounts)),
    ...objects.roles.flatMap(auditRole),
    ...objects.roleBindings.flatMap(auditRoleBinding),
    ...auditNetworkPolicies(objects),
  ];
}
