import { hostname } from 'node:os';
import { kubernetesConnection, type KubernetesClient } from '../monkey/kubernetes-cluster';
import type { NamespaceObjects } from './audit-rules';
import type { Finding } from './findings';

/**
 * The Security Monkey's Kubernetes side, with @kubernetes/client-node, in one namespace: list pods,
 * services, serviceaccounts (core/v1), networkpolicies (networking.k8s.io/v1), roles and rolebindings
 * (rbac.authorization.k8s.io/v1), and create a core/v1 Event for each finding. The chart's Role grants
 * exactly these; never anything on secrets.
 */

/** The component named as the source of the Events. */
export const SECURITY_EVENT_SOURCE = 'streamplane-security-monkey';

const KINDS: Record<string, { apiVersion: string; kind: string }> = {
  pod: { apiVersion: 'v1', kind: 'Pod' },
  service: { apiVersion: 'v1', kind: 'Service' },
  role: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role' },
  rolebinding: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding' },
};

export class KubernetesNamespace {
  private constructor(
    private readonly core: InstanceType<KubernetesClient['CoreV1Api']>,
    private readonly networking: InstanceType<KubernetesClient['NetworkingV1Api']>,
    private readonly rbac: InstanceType<KubernetesClient['RbacAuthorizationV1Api']>,
    readonly namespace: string,
    private readonly instance: string,
  ) {}

  static async connect(options: { namespace?: string; kubeconfigPath?: string; instance?: string } = {}) {
    const { client, config, namespace } = await kubernetesConnection(options, 'SECURITY_MONKEY_NAMESPACE');
    return new KubernetesNamespace(
      config.makeApiClient(client.CoreV1Api),
      config.makeApiClient(client.NetworkingV1Api),
      config.makeApiClient(client.RbacAuthorizationV1Api),
      namespace,
      options.instance ?? hostname(),
    );
  }

  /** Everything the audits read, listed once each. */
  async objects(): Promise<NamespaceObjects> {
    const namespace = this.namespace;
    const [pods, services, networkPolicies, roles, roleBindings, serviceAccounts] = await Promise.all([
      this.core.listNamespacedPod({ namespace }),
      this.core.listNamespacedService({ namespace }),
      this.networking.listNamespacedNetworkPolicy({ namespace }),
      this.rbac.listNamespacedRole({ namespace }),
      this.rbac.listNamespacedRoleBinding({ namespace }),
      this.core.listNamespacedServiceAccount({ namespace }),
    ]);
    // The client's models are structurally what the audits read; its Dates and classes are not used.
    return JSON.parse(
      JSON.stringify({
        pods: pods.items,
        services: services.items,
        networkPolicies: networkPolicies.items,
        roles: roles.items,
        roleBindings: roleBindings.items,
        serviceAccounts: serviceAccounts.items,
      }),
    ) as NamespaceObjects;
  }

  /**
   * A Warning Event for the finding, on the object it is about (`pod/…`, `role/…`), or on the namespace
   * for a finding about a process or the namespace as a whole.
   */
  async record(finding: Finding, at = new Date()): Promise<void> {
    const [kind, name] = finding.subject.split('/', 2) as [string, string | undefined];
    const involvedObject =
      name !== undefined && KINDS[kind]
        ? { ...KINDS[kind], name, namespace: this.namespace }
        : { apiVersion: 'v1', kind: 'Namespace', name: this.namespace };
    await this.core.createNamespacedEvent({
      namespace: this.namespace,
      body: {
        metadata: { generateName: `${involvedObject.name}.security-monkey-`, namespace: this.namespace },
        involvedObject,
        reason: `SecurityMonkey${finding.rule.replace(/(^|-)(\w)/g, (_, __, letter: string) => letter.toUpperCase())}`,
        type: finding.severity === 'low' ? 'Normal' : 'Warning',
        // Event messages are limited to 1 KiB by the API server.
        message: `${finding.severity}: ${finding.message}; fix: ${finding.fix}`.slice(0, 1024),
        action: 'Audit',
        source: { component: SECURITY_EVENT_SOURCE, host: this.instance },
        firstTimestamp: at,
        lastTimestamp: at,
        count: 1,
      },
    });
  }
}
