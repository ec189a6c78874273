import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { eventually, KubeApiDouble } from '@streamplane/testkit';
import { WorkCalendar } from '../chaos/monkey/work-calendar';

/**
 * The monkey's Kubernetes adapter (compiled, with the real @kubernetes/client-node) against the test kit's
 * stand-in API server, through a kubeconfig: the requests it makes (paths, verbs, selectors, bodies) and
 * how it reads the answers, PodDisruptionBudget refusals and missing pods included. The adapter runs in a
 * child process because the client is an ES module, which jest on Node 20 cannot load (see
 * kubernetes-cluster.ts); `npm run build` first.
 */

const DRIVER = join(__dirname, 'fixtures', 'kubernetes-cluster-driver.js');
const MAIN = join(__dirname, '..', 'dist', 'chaos', 'monkey', 'main.js');
const OPT_IN = { 'streamplane.io/chaos-monkey': 'enabled' };
const LAST_KILL = 'streamplane.io/chaos-monkey-last-kill';
const TOKEN = 'monkey-token';

interface Answer {
  result?: unknown;
  error?: string;
}

function drive(kubeconfig: string, calls: Array<{ call: string; args: unknown[] }>) {
  return new Promise<{ namespace: string; answers: Answer[] }>((resolve, reject) => {
    const child = execFile(process.execPath, [DRIVER, kubeconfig], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`the driver failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as { namespace: string; answers: Answer[] });
    });
    child.stdin?.end(JSON.stringify(calls));
  });
}

/**
 * The built monkey as the chart runs it, against the stand-in API server, with work hours all day in UTC
 * and p = 1; resolves once it has logged its start, with its JSON log lines as they come.
 */
async function startMonkey(kubeconfig: string, env: Record<string, string> = {}) {
  const monkey = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH,
      KUBECONFIG: kubeconfig,
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      CHAOS_MONKEY_START_HOUR: '0',
      CHAOS_MONKEY_END_HOUR: '24',
      CHAOS_MONKEY_TIME_ZONE: 'UTC',
      CHAOS_MONKEY_MEAN_TIME_BETWEEN_KILLS_IN_WORK_DAYS: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Array<Record<string, unknown>> = [];
  createInterface({ input: monkey.stdout! }).on('line', (line) =>
    lines.push(JSON.parse(line) as Record<string, unknown>),
  );
  try {
    await eventually(() => lines.length > 0, 'the monkey logged its start', 1_500);
  } catch (error) {
    monkey.kill('SIGKILL');
    throw error;
  }
  return { monkey, lines };
}

describe('the Chaos Monkey on the Kubernetes API', () => {
  let api: KubeApiDouble;
  let kubeconfig: string;

  beforeEach(async () => {
    api = await new KubeApiDouble('streamplane', TOKEN).start();
    kubeconfig = api.writeKubeconfig();
    const catalog = { 'app.kubernetes.io/name': 'catalog', 'app.kubernetes.io/instance': 'streamplane' };
    const billing = { 'app.kubernetes.io/name': 'billing', 'app.kubernetes.io/instance': 'streamplane' };
    api.addDeployment({ name: 'catalog', replicas: 2, selector: catalog, templateLabels: OPT_IN });
    api.addDeployment({ name: 'billing', replicas: 2, selector: billing });
    api.addPod({ name: 'catalog-a', labels: { ...catalog, ...OPT_IN }, uid: 'uid-a' });
    api.addPod({ name: 'catalog-b', labels: { ...catalog, ...OPT_IN } });
    api.addPod({ name: 'billing-a', labels: billing });
    api.addPod({ name: 'billing-b', labels: billing });
  });

  afterEach(() => api.stop());

  test('lists only the opted-in Deployments with their replicas, and their opted-in pods by label selector', async () => {
    const { namespace, answers } = await drive(kubeconfig, [
      { call: 'optedInGroups', args: [] },
      { call: 'pods', args: ['catalog'] },
    ]);
    expect(namespace).toBe('streamplane');
    expect(answers[0]).toEqual({ result: [{ name: 'catalog', desiredReplicas: 2, readyReplicas: 2 }] });
    expect((answers[1]!.result as Array<{ name: string }>).map((pod) => pod.name).sort()).toEqual([
      'catalog-a',
      'catalog-b',
    ]);
    expect(answers[1]!.result).toContainEqual(
      expect.objectContaining({ name: 'catalog-a', uid: 'uid-a', phase: 'Running', terminating: false }),
    );
    expect(api.requests.map(({ method, path, query }) => ({ method, path, query }))).toEqual([
      { method: 'GET', path: '/apis/apps/v1/namespaces/streamplane/deployments', query: {} },
      {
        method: 'GET',
        path: '/api/v1/namespaces/streamplane/pods',
        query: {
          labelSelector:
            'app.kubernetes.io/name=catalog,app.kubernetes.io/instance=streamplane,streamplane.io/chaos-monkey=enabled',
        },
      },
    ]);
    expect(api.requests.every((request) => request.status === 200)).toBe(true);
  });

  test('evicts through policy/v1 (the pod is gone), and a PodDisruptionBudget refusal is an answer, not an error', async () => {
    api.addDisruptionBudget({ name: 'catalog', selector: { 'app.kubernetes.io/name': 'catalog' }, minAvailable: 1 });
    const pod = (name: string) => ({ name, labels: OPT_IN, phase: 'Running', terminating: false });
    const { answers } = await drive(kubeconfig, [
      { call: 'terminate', args: [pod('catalog-a'), 'evict'] },
      { call: 'terminate', args: [pod('catalog-b'), 'evict'] },
      { call: 'terminate', args: [pod('catalog-zz'), 'evict'] },
    ]);
    expect(answers).toEqual([
      { result: { outcome: 'terminated' } },
      { result: { outcome: 'refused', reason: "Cannot evict pod as it would violate the pod's disruption budget." } },
      { result: { outcome: 'gone', reason: 'pods "catalog-zz" not found' } },
    ]);
    expect(api.podNames()).toEqual(['billing-a', 'billing-b', 'catalog-b']);
    const evictions = api.requests.filter((request) => request.path.endsWith('/eviction'));
    expect(evictions.map((request) => [request.method, request.path, request.status])).toEqual([
      ['POST', '/api/v1/namespaces/streamplane/pods/catalog-a/eviction', 201],
      ['POST', '/api/v1/namespaces/streamplane/pods/catalog-b/eviction', 429],
      ['POST', '/api/v1/namespaces/streamplane/pods/catalog-zz/eviction', 404],
    ]);
    expect(evictions[0]!.body).toEqual({
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'catalog-a', namespace: 'streamplane' },
    });
  });

  test('deletes in delete mode, without an eviction', async () => {
    const { answers } = await drive(kubeconfig, [
      {
        call: 'terminate',
        args: [{ name: 'catalog-b', labels: OPT_IN, phase: 'Running', terminating: false }, 'delete'],
      },
    ]);
    expect(answers).toEqual([{ result: { outcome: 'terminated' } }]);
    expect(api.requests.map(({ method, path }) => `${method} ${path}`)).toEqual([
      'DELETE /api/v1/namespaces/streamplane/pods/catalog-b',
    ]);
    expect(api.podNames()).not.toContain('catalog-b');
  });

  test('records each decision as a core/v1 Event on the pod, or on the Deployment before a pod is chosen', async () => {
    const atMs = Date.parse('2026-03-10T17:30:00Z');
    const { answers } = await drive(kubeconfig, [
      {
        call: 'record',
        args: [
          { decision: 'killed', service: 'catalog', pod: { name: 'catalog-a', uid: 'uid-a' }, atMs, mode: 'evict' },
        ],
      },
      { call: 'record', args: [{ decision: 'scheduled', service: 'catalog', atMs, dueMs: atMs + 3_600_000 }] },
    ]);
    expect(answers.map((answer) => answer.error)).toEqual([undefined, undefined]);
    expect(api.events).toHaveLength(2);
    expect(api.events[0]).toMatchObject({
      kind: 'Event',
      metadata: { namespace: 'streamplane', name: expect.stringMatching(/^catalog-a\.chaos-monkey-/) },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'catalog-a', uid: 'uid-a', namespace: 'streamplane' },
      reason: 'ChaosMonkeyKilled',
      type: 'Warning',
      action: 'killed',
      message: 'evicted pod catalog-a of catalog',
      source: { component: 'streamplane-chaos-monkey', host: 'chaos-monkey-0' },
      firstTimestamp: '2026-03-10T17:30:00.000Z',
      count: 1,
    });
    expect(api.events[1]).toMatchObject({
      involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'catalog' },
      reason: 'ChaosMonkeyScheduled',
      message: 'a kill in catalog is scheduled for 2026-03-10T18:30:00.000Z',
    });
  });

  test("reads each Deployment's last kill from its annotation, and writes a kill with a JSON merge patch of it alone", async () => {
    api.addDeployment({
      name: 'subtitles',
      replicas: 0,
      selector: { 'app.kubernetes.io/name': 'subtitles' },
      templateLabels: OPT_IN,
      annotations: { [LAST_KILL]: 'last Tuesday', 'deployment.kubernetes.io/revision': '3' },
    });
    const atMs = Date.parse('2026-03-10T17:30:00Z');
    const { answers } = await drive(kubeconfig, [
      { call: 'optedInGroups', args: [] },
      { call: 'recordLastKill', args: ['catalog', atMs] },
      { call: 'recordLastKill', args: ['subtitles', atMs + 1] },
      { call: 'optedInGroups', args: [] },
    ]);
    // An annotation that is not an RFC 3339 instant is no kill.
    expect(answers[0]).toEqual({
      result: [
        { name: 'catalog', desiredReplicas: 2, readyReplicas: 2 },
        { name: 'subtitles', desiredReplicas: 0, readyReplicas: 0 },
      ],
    });
    expect(answers.slice(1, 3)).toEqual([{ result: null }, { result: null }]);
    expect(answers[3]).toEqual({
      result: [
        { name: 'catalog', desiredReplicas: 2, readyReplicas: 2, lastKillMs: atMs },
        { name: 'subtitles', desiredReplicas: 0, readyReplicas: 0, lastKillMs: atMs + 1 },
      ],
    });
    const patches = api.requests.filter((request) => request.method === 'PATCH');
    expect(patches.map(({ path, contentType, body, status }) => ({ path, contentType, body, status }))).toEqual([
      {
        path: '/apis/apps/v1/namespaces/streamplane/deployments/catalog',
        contentType: 'application/merge-patch+json',
        body: { metadata: { annotations: { [LAST_KILL]: '2026-03-10T17:30:00.000Z' } } },
        status: 200,
      },
      {
        path: '/apis/apps/v1/namespaces/streamplane/deployments/subtitles',
        contentType: 'application/merge-patch+json',
        body: { metadata: { annotations: { [LAST_KILL]: '2026-03-10T17:30:00.001Z' } } },
        status: 200,
      },
    ]);
    // Only the annotation changed: the others stay, the spec (so the pods) is untouched.
    expect(api.deployment('subtitles')!.metadata).toMatchObject({
      generation: 1,
      annotations: { [LAST_KILL]: '2026-03-10T17:30:00.001Z', 'deployment.kubernetes.io/revision': '3' },
    });
  });

  test('a write on a Deployment that is gone is an error naming the status', async () => {
    api.removeDeployment('catalog');
    const { answers } = await drive(kubeconfig, [{ call: 'recordLastKill', args: ['catalog', Date.now()] }]);
    expect(answers).toEqual([{ error: 'patch deployment catalog: HTTP 404: deployments.apps "catalog" not found' }]);
  });

  test('reports the API server refusing its credentials as an error naming the status', async () => {
    const stranger = await new KubeApiDouble('streamplane', 'another-token').start();
    try {
      const elsewhere = join(dirname(kubeconfig), 'elsewhere');
      writeFileSync(elsewhere, readFileSync(kubeconfig, 'utf8').replace(api.url, stranger.url));
      const { answers } = await drive(elsewhere, [{ call: 'optedInGroups', args: [] }]);
      expect(answers[0]!.error).toMatch(/401|Unauthorized/);
    } finally {
      await stranger.stop();
    }
  });

  test('runs as the chart runs it: draws, records, counts on /metrics, and stops on SIGTERM; a bad value exits 78', async () => {
    const bad = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, CHAOS_MONKEY_MODE: 'nuke' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let said = '';
    bad.stderr!.on('data', (chunk: Buffer) => (said += chunk.toString()));
    const [badCode] = (await once(bad, 'close')) as [number];
    expect(badCode).toBe(78);
    expect(said).toContain('CHAOS_MONKEY_MODE: expected one of evict, delete (got "nuke")');

    // Work hours all day in UTC and p = 1: on a weekday the catalog is drawn at once.
    const workDay = new WorkCalendar('UTC', 0, 24).dayOf(Date.now()).isWorkDay;
    const { monkey, lines } = await startMonkey(kubeconfig);
    try {
      expect(lines[0]).toMatchObject({ msg: 'chaos monkey started', leashed: true, namespace: 'streamplane' });
      const metrics = `http://127.0.0.1:${String(lines[0]!.metrics_port)}/metrics`;
      if (workDay) {
        await eventually(() => api.events.length > 0, 'the monkey recorded its draw', 1_000);
        expect(api.events.map((event) => event.reason)).toEqual(['ChaosMonkeyScheduled']);
        expect(await (await fetch(metrics)).text()).toContain(
          'chaos_monkey_decisions_total{service="catalog",decision="scheduled"} 1',
        );
      }
      expect(api.requests.some((request) => request.method !== 'GET' && !request.path.endsWith('/events'))).toBe(false);
      monkey.kill('SIGTERM');
      const [code] = (await once(monkey, 'close')) as [number];
      expect(code).toBe(0);
    } finally {
      monkey.kill('SIGKILL');
    }
  });

  test('restarted and unleashed, honours the last kill on the Deployment; on a weekend it does not call the API at all', async () => {
    // As if a previous monkey had just killed in catalog; p = 1 and work hours all day in UTC.
    api.removeDeployment('catalog');
    api.addDeployment({
      name: 'catalog',
      replicas: 2,
      selector: { 'app.kubernetes.io/name': 'catalog', 'app.kubernetes.io/instance': 'streamplane' },
      templateLabels: OPT_IN,
      annotations: { [LAST_KILL]: new Date().toISOString() },
    });
    const workDay = new WorkCalendar('UTC', 0, 24).dayOf(Date.now()).isWorkDay;
    const { monkey, lines } = await startMonkey(kubeconfig, { CHAOS_MONKEY_LEASHED: 'false' });
    try {
      const metrics = `http://127.0.0.1:${String(lines[0]!.metrics_port)}/metrics`;
      if (workDay) {
        await eventually(() => api.events.length > 0, 'the monkey recorded its draw', 1_000);
        expect(lines[1]).toMatchObject({
          msg: 'chaos monkey skipped',
          decision: 'skipped',
          deployment: 'catalog',
          reason: 'last kill 0 work day(s) ago, the minimum is 1',
        });
        expect(api.events.map((event) => event.reason)).toEqual(['ChaosMonkeySkipped']);
        // The opted-in service's series start at zero once it is known.
        const exposition = await (await fetch(metrics)).text();
        expect(exposition).toContain('chaos_monkey_decisions_total{service="catalog",decision="skipped"} 1');
        expect(exposition).toContain('chaos_monkey_decisions_total{service="catalog",decision="killed"} 0');
      } else {
        // Nothing to draw before Monday, so nothing to list: a weekend with the API server away logs no failure.
        // (A draw's listing would be sent at once after the start line; half a second is ample for it to arrive.)
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(await (await fetch(metrics)).text()).not.toContain('service=');
        expect(api.requests).toEqual([]);
      }
      expect(api.podNames()).toEqual(['billing-a', 'billing-b', 'catalog-a', 'catalog-b']);
      expect(api.requests.filter((request) => request.method === 'PATCH')).toEqual([]);
      monkey.kill('SIGTERM');
      const [code] = (await once(monkey, 'close')) as [number];
      expect(code).toBe(0);
    } finally {
      monkey.kill('SIGKILL');
    }
  });
});

describe("the stand-in API server's PATCH of a Deployment", () => {
  let api: KubeApiDouble;

  beforeEach(async () => {
    api = await new KubeApiDouble('streamplane', TOKEN).start();
    api.addDeployment({ name: 'catalog', replicas: 2, selector: { app: 'catalog' }, templateLabels: OPT_IN });
  });

  afterEach(() => api.stop());

  /** A Deployment or a Status object, as the double answers a PATCH. */
  interface PatchReply {
    status: number;
    body: {
      kind: string;
      reason?: string;
      message?: string;
      metadata: { resourceVersion?: string };
      spec: { template: { spec: { containers: Array<{ name: string; image: string }> } } };
    };
  }

  const patch = (name: string, contentType: string, body: unknown): Promise<PatchReply> =>
    fetch(`${api.url}/apis/apps/v1/namespaces/streamplane/deployments/${name}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': contentType },
      body: JSON.stringify(body),
    }).then(async (response) => ({ status: response.status, body: (await response.json()) as PatchReply['body'] }));

  test('merges a JSON merge patch: objects merged, null removes, the rest replaced; answers the Deployment', async () => {
    const before = api.deployment('catalog')!;
    const first = await patch('catalog', 'application/merge-patch+json', {
      metadata: { annotations: { a: '1', b: '2' }, labels: { team: 'video' } },
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      kind: 'Deployment',
      metadata: { name: 'catalog', annotations: { a: '1', b: '2' }, labels: { team: 'video' }, generation: 1 },
      spec: { replicas: 2 },
      status: { readyReplicas: 0 },
    });
    expect(Number(first.body.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
    const second = await patch('catalog', 'application/merge-patch+json; charset=utf-8', {
      metadata: { annotations: { a: null } },
      spec: { replicas: 3 },
    });
    expect(second.status).toBe(200);
    expect(api.deployment('catalog')).toMatchObject({
      metadata: { annotations: { b: '2' }, generation: 2 },
      spec: { replicas: 3, template: { metadata: { labels: { ...OPT_IN, app: 'catalog' } } } },
    });
    expect(api.deployment('catalog')!.metadata.annotations).toEqual({ b: '2' });
  });

  test('merges lists by name with a strategic merge patch, where a merge patch replaces them', async () => {
    const containers = (body: PatchReply['body']) =>
      body.spec.template.spec.containers.map((container) => `${container.name}=${container.image}`);
    const set = (list: unknown[]) => ({ spec: { template: { spec: { containers: list } } } });
    await patch('catalog', 'application/merge-patch+json', set([{ name: 'app', image: 'a:1' }]));
    const strategic = await patch(
      'catalog',
      'application/strategic-merge-patch+json',
      set([{ name: 'sidecar', image: 's:1' }]),
    );
    expect(strategic.status).toBe(200);
    expect(containers(strategic.body)).toEqual(['app=a:1', 'sidecar=s:1']);
    const merge = await patch('catalog', 'application/merge-patch+json', set([{ name: 'app', image: 'a:2' }]));
    expect(containers(merge.body)).toEqual(['app=a:2']);
  });

  test('refuses as the API server does: 415, 404, 400, 409, 422, with Status objects', async () => {
    const status = (reply: PatchReply) => [reply.status, reply.body.kind, reply.body.reason, reply.body.message];
    expect(
      status(await patch('catalog', 'application/json-patch+json', [{ op: 'add', path: '/x', value: 1 }])),
    ).toEqual([415, 'Status', 'UnsupportedMediaType', expect.stringContaining('application/merge-patch+json')]);
    // The media type is checked before the object is looked up.
    expect((await patch('gone', 'application/json', {})).status).toBe(415);
    expect(status(await patch('gone', 'application/merge-patch+json', {}))).toEqual([
      404,
      'Status',
      'NotFound',
      'deployments.apps "gone" not found',
    ]);
    expect((await patch('catalog', 'application/merge-patch+json', ['not', 'an', 'object'])).status).toBe(400);
    expect((await patch('catalog', 'application/merge-patch+json', { metadata: { name: 'other' } })).status).toBe(400);
    expect(
      status(await patch('catalog', 'application/merge-patch+json', { metadata: { resourceVersion: '0' } })),
    ).toEqual([409, 'Status', 'Conflict', expect.stringContaining('the object has been modified')]);
    expect(
      status(
        await patch('catalog', 'application/merge-patch+json', { spec: { selector: { matchLabels: { app: 'x' } } } }),
      ),
    ).toEqual([422, 'Status', 'Invalid', expect.stringContaining('spec.selector: Invalid value')]);
    expect(
      status(await patch('catalog', 'application/merge-patch+json', { metadata: { annotations: { n: 1 } } }))[0],
    ).toBe(422);
    // Nothing refused changed anything.
    expect(api.deployment('catalog')).toMatchObject({ metadata: { generation: 1 }, spec: { replicas: 2 } });
    expect(api.deployment('catalog')!.metadata.annotations).toBeUndefined();
  });
});
