import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';

/**
 * A test-only stand-in for the Kubernetes API server, on node:http, with exactly the endpoints the Chaos
 * Monkey's client calls:
 *
 * - `GET /apis/apps/v1/namespaces/<ns>/deployments`: a DeploymentList; each Deployment's status counts
 *   the Running, not terminating pods its selector matches, as the Deployment controller would;
 * - `PATCH /apis/apps/v1/namespaces/<ns>/deployments/<name>` with `application/merge-patch+json` (RFC 7386:
 *   objects merged, `null` removes a field, anything else replaces it) or
 *   `application/strategic-merge-patch+json` (the same, except that lists of objects with a `name`, the
 *   merge key of a Deployment's containers, volumes and env, are merged by name; `$patch` directives get
 *   400 as unsupported here): 200 with the patched Deployment, its resourceVersion bumped (and its
 *   generation when the spec changed); 415 for any other content type (JSON Patch and server-side apply
 *   are not served here), 404 when there is no such Deployment, 400 for a body that is not a JSON object
 *   or changes the name, 409 for a stale metadata.resourceVersion, 422 for a changed spec.selector
 *   (immutable) or a label or annotation that is not a string;
 * - `GET /api/v1/namespaces/<ns>/pods?labelSelector=…`: a PodList (equality and existence selectors:
 *   `a=b`, `a==b`, `a!=b`, `a`, `!a`; set-based ones get 400 as unsupported here);
 * - `POST /api/v1/namespaces/<ns>/pods/<name>/eviction` (a policy/v1 Eviction): 201 and the pod is gone, or
 *   429 when a PodDisruptionBudget would fall below minAvailable, 404 when there is no such pod, 400 when
 *   the body is not an Eviction of that pod;
 * - `DELETE /api/v1/namespaces/<ns>/pods/<name>`: 200 with the pod, which is then gone; 404 without one;
 * - `GET` lists of services and serviceaccounts (core/v1), networkpolicies (networking.k8s.io/v1), roles
 *   and rolebindings (rbac.authorization.k8s.io/v1) in a namespace: what `addObject` stored, for the
 *   Security Monkey's audits (no selectors);
 * - `POST /api/v1/namespaces/<ns>/events` (core/v1 Event): 201, `generateName` resolved; 409 when the name
 *   is taken; 422 without an involvedObject or reason.
 * - `GET /api/v1/namespaces/<ns>/secrets/<name>`: the Secret, or 404; `POST /api/v1/namespaces/<ns>/secrets`:
 *   201 with the stored Secret, 409 when the name is taken, 422 when a data value is not base64;
 *   `PUT /api/v1/namespaces/<ns>/secrets/<name>` (replace): 200 with its resourceVersion bumped, 404 when
 *   there is none, 409 for a missing or stale metadata.resourceVersion, 422 as for create (the chart's TLS
 *   hook Job, scripts/tls-secret.ts).
 *
 * Errors are metav1.Status objects with the API server's codes, reasons and messages. With a token, a
 * request without `Authorization: Bearer <token>` gets 401. Every request is recorded.
 * Product code never uses this; tests point a kubeconfig at it (`writeKubeconfig`).
 */

export interface DoublePod {
  name: string;
  labels: Record<string, string>;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  /** Already being deleted (metadata.deletionTimestamp set). */
  terminating?: boolean;
  uid?: string;
  /** spec, as the Security Monkey's audits read it. */
  spec?: Record<string, unknown>;
}

/** The kinds `addObject` stores, by the plural resource name their list path ends in. */
const LISTED_KINDS = {
  services: { prefix: '/api/v1', apiVersion: 'v1', kind: 'Service' },
  serviceaccounts: { prefix: '/api/v1', apiVersion: 'v1', kind: 'ServiceAccount' },
  networkpolicies: { prefix: '/apis/networking.k8s.io/v1', apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
  roles: { prefix: '/apis/rbac.authorization.k8s.io/v1', apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role' },
  rolebindings: {
    prefix: '/apis/rbac.authorization.k8s.io/v1',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
  },
} as const;

export type ListedResource = keyof typeof LISTED_KINDS;

export interface DoubleDeployment {
  name: string;
  replicas: number;
  /** spec.selector.matchLabels. */
  selector: Record<string, string>;
  /** spec.template.metadata.labels (the selector's labels are added). */
  templateLabels?: Record<string, string>;
  /** metadata.annotations. */
  annotations?: Record<string, string>;
}

export interface DoubleDisruptionBudget {
  name: string;
  selector: Record<string, string>;
  minAvailable: number;
}

export interface RecordedKubeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The Content-Type header, as sent. */
  contentType?: string;
  body?: unknown;
  status: number;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; [field: string]: unknown };
  [field: string]: unknown;
}

interface Route {
  method: string;
  pattern: RegExp;
  handle(match: RegExpExecArray, query: URLSearchParams, body: unknown, contentType: string): Reply;
}

interface Reply {
  status: number;
  body: unknown;
}

class KubeStatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export class KubeApiDouble {
  readonly requests: RecordedKubeRequest[] = [];
  /** Events created through the API, as stored. */
  readonly events: KubeObject[] = [];
  private readonly pods = new Map<string, KubeObject>();
  /** Each Deployment as stored (metadata and spec); its status is computed when it is read. */
  private readonly deployments = new Map<string, KubeObject>();
  private readonly budgets: DoubleDisruptionBudget[] = [];
  private readonly listed = new Map<ListedResource, KubeObject[]>();
  /** Secrets by name, as stored (`addSecret` or created through the API). */
  readonly secrets = new Map<string, KubeObject>();
  private server?: Server;
  private resourceVersion = 1;

  constructor(
    readonly namespace = 'streamplane',
    private readonly token?: string,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.serve(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    if (!this.server) throw new Error('the double is not started');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** A kubeconfig whose current context points at this double (namespace and token included); its path. */
  writeKubeconfig(directory = mkdtempSync(join(tmpdir(), 'kube-double-'))): string {
    const path = join(directory, 'kubeconfig');
    const user = this.token ? { token: this.token } : {};
    writeFileSync(
      path,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        // Plain HTTP on loopback: @kubernetes/client-node accepts an http:// server only with TLS checks off.
        clusters: [{ name: 'double', cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'monkey', user }],
        contexts: [{ name: 'double', context: { cluster: 'double', user: 'monkey', namespace: this.namespace } }],
        'current-context': 'double',
      }),
    );
    return path;
  }

  addDeployment(deployment: DoubleDeployment): void {
    this.deployments.set(deployment.name, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: deployment.name,
        namespace: this.namespace,
        uid: randomUUID(),
        resourceVersion: String(this.resourceVersion++),
        generation: 1,
        ...(deployment.annotations ? { annotations: { ...deployment.annotations } } : {}),
      },
      spec: {
        replicas: deployment.replicas,
        selector: { matchLabels: deployment.selector },
        template: {
          metadata: { labels: { ...deployment.templateLabels, ...deployment.selector } },
          spec: { containers: [] },
        },
      },
    });
  }

  /** The Deployment as a client would read it now (status included), or undefined. */
  deployment(name: string): KubeObject | undefined {
    const stored = this.deployments.get(name);
    return stored && this.deploymentObject(stored);
  }

  removeDeployment(name: string): void {
    this.deployments.delete(name);
  }

  addPod(pod: DoublePod): void {
    this.pods.set(pod.name, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: pod.name,
        namespace: this.namespace,
        uid: pod.uid ?? randomUUID(),
        labels: pod.labels,
        resourceVersion: String(this.resourceVersion++),
        ...(pod.terminating ? { deletionTimestamp: new Date().toISOString() } : {}),
      },
      ...(pod.spec ? { spec: pod.spec } : {}),
      status: { phase: pod.phase ?? 'Running' },
    });
  }

  /** An object of one of the listed kinds (`fields`: everything but apiVersion, kind and metadata.namespace). */
  addObject(resource: ListedResource, fields: { metadata: { name: string } } & Record<string, unknown>): void {
    const { apiVersion, kind } = LISTED_KINDS[resource];
    const object: KubeObject = {
      ...fields,
      apiVersion,
      kind,
      metadata: { uid: randomUUID(), ...fields.metadata, namespace: this.namespace },
    };
    this.listed.set(resource, [...(this.listed.get(resource) ?? []), object]);
  }

  /** A Secret that exists already; `data` in plain text (stored base64, as the API server does). */
  addSecret(name: string, data: Record<string, string>, annotations: Record<string, string> = {}): void {
    this.secrets.set(name, {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: {
        name,
        namespace: this.namespace,
        uid: randomUUID(),
        annotations,
        resourceVersion: String(this.resourceVersion++),
      },
      data: Object.fromEntries(
        Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
      ),
    });
  }

  /** 422 as the API server answers a Secret without a name or with data that is not base64. */
  private checkSecretData(name: string, data: Record<string, unknown> | undefined): void {
    const invalid = Object.entries(data ?? {}).filter(
      ([, value]) => typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value),
    );
    if (!name || invalid.length > 0) {
      throw new KubeStatusError(
        422,
        'Invalid',
        `Secret "${name}" is invalid: data: ${invalid.map(([key]) => key).join(', ') || 'metadata.name: Required value'}`,
      );
    }
  }

  addDisruptionBudget(budget: DoubleDisruptionBudget): void {
    this.budgets.push(budget);
  }

  podNames(): string[] {
    return [...this.pods.keys()].sort();
  }

  private readonly routes: Route[] = [
    ...(Object.entries(LISTED_KINDS) as Array<[ListedResource, (typeof LISTED_KINDS)[ListedResource]]>).map(
      ([resource, { prefix, apiVersion, kind }]): Route => ({
        method: 'GET',
        pattern: new RegExp(`^${prefix.replaceAll('.', '\\.')}/namespaces/([^/]+)/${resource}$`),
        handle: ([, namespace]) => ({
          status: 200,
          body: {
            apiVersion,
            kind: `${kind}List`,
            metadata: { resourceVersion: String(this.resourceVersion) },
            items: namespace === this.namespace ? (this.listed.get(resource) ?? []) : [],
          },
        }),
      }),
    ),
    {
      method: 'GET',
      pattern: /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments$/,
      handle: ([, namespace]) => ({
        status: 200,
        body: {
          apiVersion: 'apps/v1',
          kind: 'DeploymentList',
          metadata: { resourceVersion: String(this.resourceVersion) },
          items:
            namespace === this.namespace
              ? [...this.deployments.values()].map((deployment) => this.deploymentObject(deployment))
              : [],
        },
      }),
    },
    {
      method: 'PATCH',
      pattern: /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/,
      handle: ([, namespace, name], _query, body, contentType) => {
        const strategic = contentType === 'application/strategic-merge-patch+json';
        if (!strategic && contentType !== 'application/merge-patch+json') {
          throw new KubeStatusError(
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json`,
          );
        }
        if (!isObject(body)) throw new KubeStatusError(400, 'BadRequest', 'the patch is not a JSON object');
        const stored = namespace === this.namespace ? this.deployments.get(name!) : undefined;
        if (!stored) {
          throw new KubeStatusError(404, 'NotFound', `deployments.apps "${name}" not found`, {
            name,
            group: 'apps',
            kind: 'deployments',
          });
        }
        const patched = mergePatch(stored, body, strategic) as KubeObject;
        this.validateDeploymentPatch(stored, patched, body);
        const specChanged = JSON.stringify(patched.spec) !== JSON.stringify(stored.spec);
        patched.metadata = {
          ...patched.metadata,
          resourceVersion: String(this.resourceVersion++),
          generation: Number(stored.metadata.generation) + (specChanged ? 1 : 0),
        };
        this.deployments.set(name!, patched);
        return { status: 200, body: this.deploymentObject(patched) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/v1\/namespaces\/([^/]+)\/pods$/,
      handle: ([, namespace], query) => {
        const matches = parseSelector(query.get('labelSelector') ?? '');
        const items =
          namespace === this.namespace ? [...this.pods.values()].filter((pod) => matches(labelsOf(pod))) : [];
        return {
          status: 200,
          body: {
            apiVersion: 'v1',
            kind: 'PodList',
            metadata: { resourceVersion: String(this.resourceVersion) },
            items,
          },
        };
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/eviction$/,
      handle: ([, namespace, name], _query, body) => {
        const eviction = body as { apiVersion?: string; kind?: string; metadata?: { name?: string } } | undefined;
        if (eviction?.kind !== 'Eviction' || eviction.apiVersion !== 'policy/v1') {
          throw new KubeStatusError(400, 'BadRequest', 'expected a policy/v1 Eviction');
        }
        if (eviction.metadata?.name !== name) {
          throw new KubeStatusError(400, 'BadRequest', `name in URL does not match name in Eviction object`);
        }
        const pod = this.existingPod(namespace!, name!);
        const blocking = this.budgets.find(
          (budget) =>
            selects(budget.selector, labelsOf(pod)) && this.healthyPods(budget.selector) - 1 < budget.minAvailable,
        );
        if (blocking) {
          throw new KubeStatusError(
            429,
            'TooManyRequests',
            "Cannot evict pod as it would violate the pod's disruption budget.",
            {
              causes: [
                {
                  reason: 'DisruptionBudget',
                  message: `The disruption budget ${blocking.name} needs ${blocking.minAvailable} healthy pods and has ${this.healthyPods(blocking.selector)} currently`,
                },
              ],
            },
          );
        }
        this.pods.delete(name!);
        return { status: 201, body: { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Success', code: 201 } };
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/,
      handle: ([, namespace, name]) => {
        const pod = this.existingPod(namespace!, name!);
        this.pods.delete(name!);
        return {
          status: 200,
          body: { ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date().toISOString() } },
        };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/,
      handle: ([, namespace, name]) => {
        const secret = namespace === this.namespace ? this.secrets.get(name!) : undefined;
        if (!secret)
          throw new KubeStatusError(404, 'NotFound', `secrets "${name}" not found`, { name, kind: 'secrets' });
        return { status: 200, body: secret };
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/v1\/namespaces\/([^/]+)\/secrets$/,
      handle: ([, namespace], _query, body) => {
        const secret = body as Partial<KubeObject> & { data?: Record<string, unknown> };
        const name = (secret?.metadata as { name?: string } | undefined)?.name ?? '';
        if (namespace !== this.namespace || this.secrets.has(name)) {
          throw new KubeStatusError(409, 'AlreadyExists', `secrets "${name}" already exists`, {
            name,
            kind: 'secrets',
          });
        }
        this.checkSecretData(name, secret.data);
        const stored: KubeObject = {
          ...secret,
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: {
            ...(secret.metadata as object),
            name,
            namespace: namespace!,
            uid: randomUUID(),
            resourceVersion: String(this.resourceVersion++),
          },
        };
        this.secrets.set(name, stored);
        return { status: 201, body: stored };
      },
    },
    {
      method: 'PUT',
      pattern: /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/,
      handle: ([, namespace, name], _query, body) => {
        const current = namespace === this.namespace ? this.secrets.get(name!) : undefined;
        if (!current) {
          throw new KubeStatusError(404, 'NotFound', `secrets "${name}" not found`, { name, kind: 'secrets' });
        }
        const secret = body as Partial<KubeObject> & { data?: Record<string, unknown> };
        const metadata = (secret?.metadata ?? {}) as { name?: string; resourceVersion?: string };
        if (metadata.resourceVersion !== current.metadata.resourceVersion) {
          throw new KubeStatusError(
            409,
            'Conflict',
            `Operation cannot be fulfilled on secrets "${name}": the object has been modified; please apply your changes to the latest version and try again`,
            { name, kind: 'secrets' },
          );
        }
        this.checkSecretData(name!, secret.data);
        const stored: KubeObject = {
          ...secret,
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: {
            ...current.metadata,
            ...(secret.metadata as object),
            resourceVersion: String(this.resourceVersion++),
          },
        };
        this.secrets.set(name!, stored);
        return { status: 200, body: stored };
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/v1\/namespaces\/([^/]+)\/events$/,
      handle: ([, namespace], _query, body) => {
        const event = body as Partial<KubeObject> & { involvedObject?: unknown; reason?: unknown };
        const metadata = (event?.metadata ?? {}) as { name?: string; generateName?: string };
        const missing = ['involvedObject', 'reason'].filter((field) => !event?.[field]);
        if (missing.length > 0) {
          throw new KubeStatusError(
            422,
            'Invalid',
            `Event "${metadata.name ?? metadata.generateName ?? ''}" is invalid: ${missing.map((field) => `${field}: Required value`).join(', ')}`,
          );
        }
        const name = metadata.name ?? `${metadata.generateName ?? ''}${randomUUID().slice(0, 5)}`;
        if (this.events.some((existing) => existing.metadata.name === name)) {
          throw new KubeStatusError(409, 'AlreadyExists', `events "${name}" already exists`);
        }
        const stored: KubeObject = {
          ...event,
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { ...metadata, name, namespace: namespace!, uid: randomUUID() },
        };
        this.events.push(stored);
        return { status: 201, body: stored };
      },
    },
  ];

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://double');
    const record: RecordedKubeRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(request.headers['content-type'] ? { contentType: request.headers['content-type'] } : {}),
      status: 0,
    };
    this.requests.push(record);
    let reply: Reply;
    try {
      const body = await text(request);
      if (body) {
        try {
          record.body = JSON.parse(body);
        } catch {
          throw new KubeStatusError(400, 'BadRequest', 'the request body is not JSON');
        }
      }
      if (this.token && request.headers.authorization !== `Bearer ${this.token}`) {
        throw new KubeStatusError(401, 'Unauthorized', 'Unauthorized');
      }
      const route = this.routes.find(
        (candidate) => candidate.method === record.method && candidate.pattern.test(url.pathname),
      );
      if (!route) throw new KubeStatusError(404, 'NotFound', 'the server could not find the requested resource');
      // The media type without parameters (`; charset=utf-8`), as the API server compares it.
      const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      reply = route.handle(route.pattern.exec(url.pathname)!, url.searchParams, record.body, contentType);
    } catch (error) {
      const failure =
        error instanceof KubeStatusError ? error : new KubeStatusError(500, 'InternalError', (error as Error).message);
      reply = {
        status: failure.code,
        body: {
          apiVersion: 'v1',
          kind: 'Status',
          metadata: {},
          status: 'Failure',
          message: failure.message,
          reason: failure.reason,
          ...(failure.details ? { details: failure.details } : {}),
          code: failure.code,
        },
      };
    }
    record.status = reply.status;
    response.writeHead(reply.status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(reply.body));
  }

  private existingPod(namespace: string, name: string): KubeObject {
    const pod = namespace === this.namespace ? this.pods.get(name) : undefined;
    if (!pod) throw new KubeStatusError(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' });
    return pod;
  }

  /** Pods the selector matches that are Running and not being deleted: what counts as healthy and ready. */
  private healthyPods(selector: Record<string, string>): number {
    return [...this.pods.values()].filter(
      (pod) =>
        selects(selector, labelsOf(pod)) &&
        (pod.status as { phase?: string }).phase === 'Running' &&
        pod.metadata.deletionTimestamp === undefined,
    ).length;
  }

  private deploymentObject(stored: KubeObject): KubeObject {
    const spec = stored.spec as { selector: { matchLabels: Record<string, string> } };
    const ready = this.healthyPods(spec.selector.matchLabels);
    return {
      ...structuredClone(stored),
      status: {
        observedGeneration: stored.metadata.generation,
        replicas: ready,
        readyReplicas: ready,
        availableReplicas: ready,
      },
    };
  }

  /** What the API server would refuse in a patched Deployment (the checks this double models). */
  private validateDeploymentPatch(stored: KubeObject, patched: KubeObject, patch: Record<string, unknown>): void {
    const name = stored.metadata.name;
    if (patched.metadata?.name !== name) {
      throw new KubeStatusError(
        400,
        'BadRequest',
        `the name of the object (${String(patched.metadata?.name)}) does not match the name on the URL (${name})`,
      );
    }
    const wanted = (patch.metadata as { resourceVersion?: unknown } | undefined)?.resourceVersion;
    if (wanted !== undefined && wanted !== stored.metadata.resourceVersion) {
      throw new KubeStatusError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on deployments.apps "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, group: 'apps', kind: 'deployments' },
      );
    }
    const invalid: string[] = [];
    for (const field of ['labels', 'annotations'] as const) {
      const values = patched.metadata[field];
      if (values === undefined) continue;
      if (!isObject(values) || Object.values(values).some((value) => typeof value !== 'string')) {
        invalid.push(`metadata.${field}: Invalid value: string values only`);
      }
    }
    const selectorOf = (object: KubeObject) => JSON.stringify((object.spec as { selector?: unknown }).selector);
    if (selectorOf(patched) !== selectorOf(stored)) {
      invalid.push(`spec.selector: Invalid value: ${selectorOf(patched)}: field is immutable`);
    }
    if (invalid.length > 0) {
      throw new KubeStatusError(422, 'Invalid', `Deployment.apps "${name}" is invalid: ${invalid.join(', ')}`, {
        name,
        group: 'apps',
        kind: 'Deployment',
      });
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `patch` applied to `target` as a JSON merge patch (RFC 7386), or, `strategic`, as a strategic merge patch
 * for the fields a Deployment has: the same, except that two lists of objects that all carry a `name` are
 * merged item by item on it; other lists are replaced.
 */
function mergePatch(target: unknown, patch: unknown, strategic: boolean): unknown {
  if (strategic && Array.isArray(patch) && Array.isArray(target) && patch.every(hasName) && target.every(hasName)) {
    const merged = target.map((item) => structuredClone(item));
    for (const item of patch) {
      const at = merged.findIndex((existing) => existing.name === item.name);
      if (at >= 0) merged[at] = mergePatch(merged[at], item, strategic) as { name: string };
      else merged.push(mergePatch({}, item, strategic) as { name: string });
    }
    return merged;
  }
  if (!isObject(patch)) return structuredClone(patch);
  if (strategic && '$patch' in patch) {
    throw new KubeStatusError(
      400,
      'BadRequest',
      `strategic merge patch directive $patch is not supported by this double`,
    );
  }
  const merged: Record<string, unknown> = isObject(target) ? structuredClone(target) : {};
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete merged[field];
    else merged[field] = mergePatch(merged[field], value, strategic);
  }
  return merged;
}

function hasName(item: unknown): item is { name: string } {
  return isObject(item) && typeof item.name === 'string';
}

function labelsOf(object: KubeObject): Record<string, string> {
  return (object.metadata.labels as Record<string, string> | undefined) ?? {};
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** An equality- or existence-based label selector as a predicate (the API server's syntax for those). */
function parseSelector(text: string): (labels: Record<string, string>) => boolean {
  const requirements = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part): ((labels: Record<string, string>) => boolean) => {
      if (/\s(in|notin)\s*\(/.test(part)) {
        throw new KubeStatusError(400, 'BadRequest', `set-based selector ${part} is not supported by this double`);
      }
      const inequality = /^([^!=]+)!=(.*)$/.exec(part);
      if (inequality) return (labels) => labels[inequality[1]!.trim()] !== inequality[2]!.trim();
      const equality = /^([^!=]+)==?(.*)$/.exec(part);
      if (equality) return (labels) => labels[equality[1]!.trim()] === equality[2]!.trim();
      if (part.startsWith('!')) return (labels) => !(part.slice(1) in labels);
      if (/^[A-Za-z0-9./_-]+$/.test(part)) return (labels) => part in labels;
      throw new KubeStatusError(400, 'BadRequest', `unable to parse requirement: ${part}`);
    });
  return (labels) => requirements.every((matches) => matches(labels));
}
