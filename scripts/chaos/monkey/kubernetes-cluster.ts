import { hostname } from 'node:os';
import type { Decision, DecisionKind, DecisionSink, TerminationMode } from './decisions';
import {
  LAST_KILL_ANNOTATION,
  OPT_IN_LABEL,
  OPT_IN_VALUE,
  type MonkeyCluster,
  type MonkeyGroup,
  type MonkeyPod,
  type TerminationResult,
} from './chaos-monkey';

/**
 * The monkey's Kubernetes side, with @kubernetes/client-node, in one namespace (the one it runs in): the
 * opted-in Deployments (apps/v1, list) with the last kill each records, their opted-in pods (core/v1, list
 * by label selector), a pod's end through the Eviction API (policy/v1, so PodDisruptionBudgets hold) or a
 * plain delete, the last kill written on the Deployment (apps/v1, a JSON merge patch of one annotation),
 * and a core/v1 Event on the pod for every decision. The Role in the chart grants exactly these calls.
 */

/**
 * @kubernetes/client-node 1.x is an ES module only, and this package compiles to CommonJS. Under
 * `module: node16` tsc leaves a dynamic import() as it is (a require() would fail with ERR_REQUIRE_ESM on
 * older Node 20 releases), so the client is loaded on first use, asynchronously, from compiled code. Jest
 * on Node 20 cannot load ES modules without --experimental-vm-modules; the adapter's tests therefore drive
 * the compiled adapter in a child process (scripts/test/fixtures/kubernetes-cluster-driver.js).
 */
export type KubernetesClient = typeof import('@kubernetes/client-node', { with: { 'resolution-mode': 'import' } });

export function loadKubernetesClient(): Promise<KubernetesClient> {
  return import('@kubernetes/client-node');
}

/**
 * The client, the kubeconfig (`kubeconfigPath`, else KUBECONFIG, ~/.kube/config or the in-cluster service
 * account) and the namespace to work in: `namespace`, else the current context's; without one, an error
 * naming `namespaceVariable`, the setting that gives it.
 */
export async function kubernetesConnection(
  options: { namespace?: string; kubeconfigPath?: string },
  namespaceVariable: string,
) {
  const client = await loadKubernetesClient();
  const config = new client.KubeConfig();
  if (options.kubeconfigPath) config.loadFromFile(options.kubeconfigPath);
  else config.loadFromDefault();
  const namespace = options.namespace ?? config.getContextObject(config.getCurrentContext())?.namespace;
  if (!namespace) {
    throw new Error(`no namespace: set ${namespaceVariable}, or use a kubeconfig context that names one`);
  }
  return { client, config, namespace };
}

const EVENT_REASONS: Record<DecisionKind, { reason: string; type: 'Normal' | 'Warning' }> = {
  scheduled: { reason: 'ChaosMonkeyScheduled', type: 'Normal' },
  held: { reason: 'ChaosMonkeyHeld', type: 'Normal' },
  killed: { reason: 'ChaosMonkeyKilled', type: 'Warning' },
  leashed: { reason: 'ChaosMonkeyLeashed', type: 'Normal' },
  skipped: { reason: 'ChaosMonkeySkipped', type: 'Normal' },
  failed: { reason: 'ChaosMonkeyFailed', type: 'Warning' },
};

/** The component named as the source of the monkey's Events. */
export const EVENT_SOURCE = 'streamplane-chaos-monkey';

export interface KubernetesClusterOptions {
  /** Default: the kubeconfig's current context's namespace (in a pod: the service account's). */
  namespace?: string;
  /** Default: KUBECONFIG, ~/.kube/config, else the in-cluster service account. */
  kubeconfigPath?: string;
  /** The monkey's own pod, for the Events' source host. */
  instance?: string;
}

export class KubernetesCluster implements MonkeyCluster, DecisionSink {
  private constructor(
    private readonly client: KubernetesClient,
    private readonly core: InstanceType<KubernetesClient['CoreV1Api']>,
    private readonly apps: InstanceType<KubernetesClient['AppsV1Api']>,
    readonly namespace: string,
    private readonly instance: string,
    /** The opted-in Deployments' pod selectors as last listed, so a kill can find its group's pods. */
    private readonly selectors = new Map<string, Record<string, string>>(),
  ) {}

  static async connect(options: KubernetesClusterOptions = {}): Promise<KubernetesCluster> {
    const { client, config, namespace } = await kubernetesConnection(options, 'CHAOS_MONKEY_NAMESPACE');
    return new KubernetesCluster(
      client,
      config.makeApiClient(client.CoreV1Api),
      config.makeApiClient(client.AppsV1Api),
      namespace,
      options.instance ?? hostname(),
    );
  }

  async optedInGroups(): Promise<MonkeyGroup[]> {
    const list = await this.apps.listNamespacedDeployment({ namespace: this.namespace });
    const groups: MonkeyGroup[] = [];
    this.selectors.clear();
    for (const deployment of list.items) {
      const name = deployment.metadata?.name;
      const template = deployment.spec?.template.metadata?.labels ?? {};
      if (!name || template[OPT_IN_LABEL] !== OPT_IN_VALUE) continue;
      this.selectors.set(name, deployment.spec?.selector.matchLabels ?? {});
      groups.push({
        name,
        desiredReplicas: deployment.spec?.replicas ?? 1,
        readyReplicas: deployment.status?.readyReplicas ?? 0,
        lastKillMs: lastKillOf(deployment.metadata?.annotations),
      });
    }
    return groups;
  }

  async pods(group: string): Promise<MonkeyPod[]> {
    const selector = this.selectors.get(group);
    if (!selector) throw new Error(`${group} is not an opted-in Deployment`);
    const labelSelector = Object.entries({ ...selector, [OPT_IN_LABEL]: OPT_IN_VALUE })
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
    const list = await this.core.listNamespacedPod({ namespace: this.namespace, labelSelector });
    return list.items.map((pod) => ({
      name: pod.metadata?.name ?? '',
      uid: pod.metadata?.uid,
      labels: pod.metadata?.labels ?? {},
      phase: pod.status?.phase ?? 'Unknown',
      terminating: pod.metadata?.deletionTimestamp !== undefined,
    }));
  }

  async terminate(pod: MonkeyPod, mode: TerminationMode): Promise<TerminationResult> {
    const target = { name: pod.name, namespace: this.namespace };
    try {
      if (mode === 'evict') {
        await this.core.createNamespacedPodEviction({
          ...target,
          body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: target },
        });
      } else {
        // The pod's own grace period: a chaos kill still lets the service drain, as a node drain would.
        await this.core.deleteNamespacedPod(target);
      }
      return { outcome: 'terminated' };
    } catch (error) {
      const status = apiStatusOf(error);
      if (status?.code === 429) return { outcome: 'refused', reason: status.message };
      if (status?.code === 404) return { outcome: 'gone', reason: status.message };
      throw new Error(status ? `${mode} ${pod.name}: HTTP ${status.code}: ${status.message}` : String(error));
    }
  }

  /**
   * The group's last kill as an annotation on its Deployment, with a JSON merge patch (RFC 7386) that
   * touches nothing else: metadata is not the pod template, so no rollout follows, and a `helm upgrade`
   * keeps it (the chart never sets it). A failure is thrown with the API's status.
   */
  async recordLastKill(group: string, atMs: number): Promise<void> {
    const { PatchStrategy, setHeaderOptions } = this.client;
    try {
      await this.apps.patchNamespacedDeployment(
        {
          name: group,
          namespace: this.namespace,
          body: { metadata: { annotations: { [LAST_KILL_ANNOTATION]: new Date(atMs).toISOString() } } },
        },
        // The generated client would send application/json-patch+json, which wants a list of operations.
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch (error) {
      const status = apiStatusOf(error);
      throw new Error(status ? `patch deployment ${group}: HTTP ${status.code}: ${status.message}` : String(error));
    }
  }

  /** A core/v1 Event on the decision's pod, or on its Deployment while no pod is chosen yet. */
  async record(decision: Decision): Promise<void> {
    const { reason, type } = EVENT_REASONS[decision.decision];
    const involvedObject = decision.pod
      ? { apiVersion: 'v1', kind: 'Pod', name: decision.pod.name, uid: decision.pod.uid, namespace: this.namespace }
      : { apiVersion: 'apps/v1', kind: 'Deployment', name: decision.service, namespace: this.namespace };
    if (involvedObject.name === '*') return; // a failure of the whole draw concerns no one object
    const at = new Date(decision.atMs);
    await this.core.createNamespacedEvent({
      namespace: this.namespace,
      body: {
        metadata: { generateName: `${involvedObject.name}.chaos-monkey-`, namespace: this.namespace },
        involvedObject,
        reason,
        type,
        message: eventMessage(decision),
        action: decision.decision,
        source: { component: EVENT_SOURCE, host: this.instance },
        firstTimestamp: at,
        lastTimestamp: at,
        count: 1,
      },
    });
  }
}

/** The instant a Deployment's last-kill annotation holds; an absent or unreadable one is no kill. */
function lastKillOf(annotations: Record<string, string> | undefined): number | undefined {
  const value = annotations?.[LAST_KILL_ANNOTATION];
  // RFC 3339 (what recordLastKill writes, and what `date -u +%FT%TZ` gives), not every form Date.parse reads.
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value)) return undefined;
  const atMs = Date.parse(value);
  return Number.isNaN(atMs) ? undefined : atMs;
}

function eventMessage(decision: Decision): string {
  const subject = decision.pod ? `pod ${decision.pod.name} of ${decision.service}` : decision.service;
  const what = {
    scheduled: `a kill in ${decision.service} is scheduled for ${new Date(decision.dueMs ?? decision.atMs).toISOString()}`,
    held: `held the kill of ${subject}`,
    killed: `${decision.mode === 'delete' ? 'deleted' : 'evicted'} ${subject}`,
    leashed: `would have ${decision.mode === 'delete' ? 'deleted' : 'evicted'} ${subject} (leashed)`,
    skipped: `skipped the kill in ${decision.service}`,
    failed: `failed to kill in ${decision.service}`,
  }[decision.decision];
  // Event messages are limited to 1 KiB by the API server.
  return (decision.reason ? `${what}: ${decision.reason}` : what).slice(0, 1024);
}

/** The HTTP status and the Status object's message of a failed API call, if that is what `error` is. */
export function apiStatusOf(error: unknown): { code: number; message: string } | undefined {
  const failed = error as { code?: unknown; body?: unknown };
  if (typeof failed?.code !== 'number') return undefined;
  let message = `HTTP ${failed.code}`;
  const body = typeof failed.body === 'string' ? safeJson(failed.body) : failed.body;
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    message = (body as { message: string }).message;
  }
  return { code: failed.code, message };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
