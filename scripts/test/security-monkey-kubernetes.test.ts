import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { KubeApiDouble } from '@streamplane/testkit';
import type { NamespaceObjects } from '../chaos/security/audit-rules';

/**
 * The Security Monkey's Kubernetes adapter (compiled, with the real @kubernetes/client-node, in a child
 * process: the client is an ES module jest on Node 20 cannot load) against the test kit's stand-in API
 * server: it lists exactly the six read-only kinds, reads what the audits need from them, and records a
 * finding as an Event on its object; and the built command with --kubernetes audits the namespace,
 * records every finding as an Event and exits 1 on a high one. `npm run build` first.
 */

const DRIVER = join(__dirname, 'fixtures', 'kubernetes-cluster-driver.js');
const CHAOS_CLI = join(__dirname, '..', 'dist', 'chaos.js');
const TOKEN = 'security-monkey-token';

function run(args: string[], env: Record<string, string>, stdin?: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      args,
      { env: { PATH: process.env.PATH, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin ?? '');
  });
}

describe('the Security Monkey on the Kubernetes API', () => {
  let api: KubeApiDouble;
  let kubeconfig: string;

  beforeEach(async () => {
    api = await new KubeApiDouble('streamplane', TOKEN).start();
    kubeconfig = api.writeKubeconfig();
    const labels = { 'app.kubernetes.io/name': 'catalog' };
    api.addPod({
      name: 'catalog-a',
      labels,
      spec: { hostNetwork: true, containers: [{ name: 'catalog', image: 'streamplane:latest' }] },
    });
    api.addObject('services', { metadata: { name: 'catalog' }, spec: { selector: labels } });
    api.addObject('networkpolicies', {
      metadata: { name: 'default-deny' },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
    api.addObject('roles', {
      metadata: { name: 'wide' },
      rules: [{ apiGroups: [''], resources: ['*'], verbs: ['get'] }],
    });
    api.addObject('rolebindings', {
      metadata: { name: 'root' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'streamplane' }],
    });
    api.addObject('serviceaccounts', { metadata: { name: 'default' } });
  });

  afterEach(() => api.stop());

  test('lists the six kinds once each (GET only, never secrets) and records a finding as an Event on its object', async () => {
    const finding = {
      rule: 'pod-host-namespaces',
      severity: 'high',
      subject: 'pod/catalog-a',
      message: 'shares hostNetwork',
      fix: 'remove it',
    };
    const { code, stdout, stderr } = await run(
      [DRIVER, kubeconfig, 'security'],
      {},
      JSON.stringify([
        { call: 'objects', args: [] },
        { call: 'record', args: [finding] },
      ]),
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const { namespace, answers } = JSON.parse(stdout) as {
      namespace: string;
      answers: Array<{ result?: unknown; error?: string }>;
    };
    expect(namespace).toBe('streamplane');
    const objects = answers[0]!.result as NamespaceObjects;
    expect(objects.pods[0]).toMatchObject({ metadata: { name: 'catalog-a' }, spec: { hostNetwork: true } });
    expect(objects.roleBindings[0]!.roleRef).toMatchObject({ kind: 'ClusterRole', name: 'cluster-admin' });
    expect(
      Object.fromEntries(Object.entries(objects).map(([kind, list]) => [kind, (list as unknown[]).length])),
    ).toEqual({
      pods: 1,
      services: 1,
      networkPolicies: 1,
      roles: 1,
      roleBindings: 1,
      serviceAccounts: 1,
    });
    expect(answers[1]).toEqual({ result: null });
    const reads = api.requests
      .filter((request) => request.method === 'GET')
      .map((request) => request.path)
      .sort();
    expect(reads).toEqual([
      '/api/v1/namespaces/streamplane/pods',
      '/api/v1/namespaces/streamplane/serviceaccounts',
      '/api/v1/namespaces/streamplane/services',
      '/apis/networking.k8s.io/v1/namespaces/streamplane/networkpolicies',
      '/apis/rbac.authorization.k8s.io/v1/namespaces/streamplane/rolebindings',
      '/apis/rbac.authorization.k8s.io/v1/namespaces/streamplane/roles',
    ]);
    expect(api.requests.every((request) => request.status < 300 && !request.path.includes('secrets'))).toBe(true);
    expect(api.events).toEqual([
      expect.objectContaining({
        involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'catalog-a', namespace: 'streamplane' },
        reason: 'SecurityMonkeyPodHostNamespaces',
        type: 'Warning',
        message: 'high: shares hostNetwork; fix: remove it',
        source: { component: 'streamplane-security-monkey', host: 'chaos-monkey-0' },
      }),
    ]);
  });

  test('the command with --kubernetes audits the namespace, records each finding as an Event, and exits 1', async () => {
    // No platform at this offset: the probes and posture reads are refused at once, and say so.
    const { code, stdout } = await run([CHAOS_CLI, 'security', '--kubernetes', '--port-offset', '7321'], {
      KUBECONFIG: kubeconfig,
      POD_NAME: 'security-monkey-x',
    });
    expect(code).toBe(1);
    for (const rule of [
      'pod-host-namespaces',
      'rbac-wildcard',
      'rbac-cluster-admin',
      'image-not-pinned',
      'network-policy-coverage',
    ]) {
      expect(stdout).toContain(rule);
    }
    const reasons = api.events.map(
      (event) => `${(event.involvedObject as { kind: string }).kind}:${event.reason as string}`,
    );
    expect(reasons).toEqual(
      expect.arrayContaining([
        'Pod:SecurityMonkeyPodHostNamespaces',
        'Role:SecurityMonkeyRbacWildcard',
        'RoleBinding:SecurityMonkeyRbacClusterAdmin',
        'Service:SecurityMonkeyNetworkPolicyCoverage',
        'Namespace:SecurityMonkeyPostureUnknown',
      ]),
    );
    expect(api.events.every((event) => (event.source as { host: string }).host === 'security-monkey-x')).toBe(true);
  });
});
