import { z } from 'zod';
import { securityPostureOf } from '@streamplane/platform';
import { LOCAL_DEVELOPMENT_SECRET } from '@streamplane/streaming';
import {
  auditNamespace,
  auditNetworkPolicies,
  auditPod,
  auditRole,
  auditRoleBinding,
  type NamespaceObjects,
  type Pod,
} from '../chaos/security/audit-rules';
import {
  findingsExposition,
  findingsTable,
  reachesFailOn,
  securityReport,
  type Finding,
} from '../chaos/security/findings';
import { auditPosture, parsePosture } from '../chaos/security/posture';
import { parseSecurityArguments, securityTargets } from '../chaos/security-command';

/**
 * The Security Monkey's rules as pure functions over crafted Kubernetes objects and posture expositions:
 * a pod as the chart renders it passes, and each single flaw is found by its own rule with its severity.
 */

const DIGEST = `ghcr.io/streamplane/streamplane@sha256:${'a'.repeat(64)}`;

/** A pod with the chart's posture: nothing to find. */
function chartPod(name = 'catalog-0', labels: Record<string, string> = { 'app.kubernetes.io/name': 'catalog' }): Pod {
  return {
    metadata: { name, labels },
    spec: {
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'catalog',
          image: DIGEST,
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
        },
      ],
    },
  };
}

const rulesOf = (findings: readonly Finding[]) =>
  findings.map((finding) => `${finding.rule}:${finding.severity}`).sort();

/** The chart pod with its first container's securityContext (or the pod spec) changed. */
function withFlaw(change: (pod: Pod) => void): Pod {
  const pod = structuredClone(chartPod());
  change(pod);
  return pod;
}

describe('pod audits (restricted Pod Security standard and the chart posture)', () => {
  test('a pod as the chart renders it has no finding', () => {
    expect(auditPod(chartPod())).toEqual([]);
  });

  test.each<[string, (pod: Pod) => void, string]>([
    ['runs as root', (pod) => (pod.spec!.securityContext!.runAsUser = 0), 'pod-run-as-root:high'],
    ['does not say non-root', (pod) => delete pod.spec!.securityContext!.runAsNonRoot, 'pod-run-as-root:high'],
    [
      'may escalate',
      (pod) => delete pod.spec!.containers[0]!.securityContext!.allowPrivilegeEscalation,
      'pod-privilege-escalation:high',
    ],
    [
      'is privileged',
      (pod) => (pod.spec!.containers[0]!.securityContext!.privileged = true),
      'pod-privilege-escalation:high',
    ],
    [
      'keeps capabilities',
      (pod) => (pod.spec!.containers[0]!.securityContext!.capabilities = { drop: ['NET_RAW'] }),
      'pod-capabilities:high',
    ],
    [
      'adds SYS_ADMIN',
      (pod) => (pod.spec!.containers[0]!.securityContext!.capabilities!.add = ['SYS_ADMIN']),
      'pod-capabilities:high',
    ],
    [
      'writes its root filesystem',
      (pod) => (pod.spec!.containers[0]!.securityContext!.readOnlyRootFilesystem = false),
      'pod-writable-root:medium',
    ],
    ['has no seccomp profile', (pod) => delete pod.spec!.securityContext!.seccompProfile, 'pod-seccomp:medium'],
    [
      'is Unconfined',
      (pod) => (pod.spec!.containers[0]!.securityContext!.seccompProfile = { type: 'Unconfined' }),
      'pod-seccomp:medium',
    ],
    ['shares the host network', (pod) => (pod.spec!.hostNetwork = true), 'pod-host-namespaces:high'],
    ['shares the host PID namespace', (pod) => (pod.spec!.hostPID = true), 'pod-host-namespaces:high'],
    [
      'mounts a hostPath',
      (pod) => (pod.spec!.volumes = [{ name: 'root', hostPath: { path: '/' } }]),
      'pod-host-path:high',
    ],
    ['binds a host port', (pod) => (pod.spec!.containers[0]!.ports = [{ hostPort: 8080 }]), 'pod-host-port:high'],
    [
      'runs a tag, not a digest',
      (pod) => (pod.spec!.containers[0]!.image = 'ghcr.io/streamplane/streamplane:0.1.0'),
      'image-not-pinned:medium',
    ],
    [
      'automounts a token it needs not',
      (pod) => delete pod.spec!.automountServiceAccountToken,
      'pod-service-account-token:medium',
    ],
  ])('a pod that %s is found by its rule', (_flaw, change, expected) => {
    const findings = auditPod(withFlaw(change));
    expect(rulesOf(findings)).toEqual([expected]);
    expect(findings[0]).toMatchObject({
      subject: 'pod/catalog-0',
      message: expect.any(String),
      fix: expect.any(String),
    });
  });

  test('an init container is held to the same standard', () => {
    const pod = withFlaw((flawed) => (flawed.spec!.initContainers = [{ name: 'migrate', image: DIGEST }]));
    expect(rulesOf(auditPod(pod))).toEqual([
      'pod-capabilities:high',
      'pod-privilege-escalation:high',
      'pod-writable-root:medium',
    ]);
  });

  test("a token is fine where a RoleBinding gives the pod's account a role, and off where its account turns it off", () => {
    const monkey = withFlaw((pod) => {
      delete pod.spec!.automountServiceAccountToken;
      pod.spec!.serviceAccountName = 'chaos-monkey';
    });
    expect(auditPod(monkey, [], new Set(['chaos-monkey']))).toEqual([]);
    expect(auditPod(monkey, [{ metadata: { name: 'chaos-monkey' }, automountServiceAccountToken: false }])).toEqual([]);
    expect(rulesOf(auditPod(monkey))).toEqual(['pod-service-account-token:medium']);
  });
});

describe('RBAC audits', () => {
  test("a Role with '*' in verbs, resources or apiGroups is high; a named grant is not", () => {
    expect(
      auditRole({
        metadata: { name: 'ok' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
      }),
    ).toEqual([]);
    for (const rule of [
      { apiGroups: [''], resources: ['pods'], verbs: ['*'] },
      { apiGroups: [''], resources: ['*'], verbs: ['get'] },
      { apiGroups: ['*'], resources: ['pods'], verbs: ['get'] },
    ]) {
      expect(auditRole({ metadata: { name: 'wide' }, rules: [rule] })).toEqual([
        expect.objectContaining({ rule: 'rbac-wildcard', severity: 'high', subject: 'role/wide' }),
      ]);
    }
  });

  test('a RoleBinding to cluster-admin is high; to a namespaced Role it is not', () => {
    const subjects = [{ kind: 'ServiceAccount', name: 'default' }];
    expect(auditRoleBinding({ metadata: { name: 'ok' }, roleRef: { kind: 'Role', name: 'reader' }, subjects })).toEqual(
      [],
    );
    expect(
      auditRoleBinding({
        metadata: { name: 'root' },
        roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
        subjects,
      }),
    ).toEqual([
      expect.objectContaining({
        rule: 'rbac-cluster-admin',
        severity: 'high',
        subject: 'rolebinding/root',
        message: expect.stringContaining('ServiceAccount/default'),
      }),
    ]);
  });
});

describe('NetworkPolicy audits', () => {
  const catalog = { 'app.kubernetes.io/name': 'catalog' };
  const objects = {
    pods: [chartPod('catalog-0', catalog)],
    services: [{ metadata: { name: 'catalog' }, spec: { selector: catalog } }],
  };
  const defaultDeny = { metadata: { name: 'default-deny' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
  const catalogPolicy = {
    metadata: { name: 'catalog' },
    spec: { podSelector: { matchLabels: catalog }, policyTypes: ['Ingress'], ingress: [{}] },
  };

  test('a default deny and a policy selecting every service pod: nothing to find', () => {
    expect(auditNetworkPolicies({ ...objects, networkPolicies: [defaultDeny, catalogPolicy] })).toEqual([]);
  });

  test('no default deny is high', () => {
    expect(rulesOf(auditNetworkPolicies({ ...objects, networkPolicies: [catalogPolicy] }))).toEqual([
      'network-policy-default-deny:high',
    ]);
  });

  test("a service's pods that only the default deny selects are not covered", () => {
    expect(auditNetworkPolicies({ ...objects, networkPolicies: [defaultDeny] })).toEqual([
      expect.objectContaining({ rule: 'network-policy-coverage', severity: 'medium', subject: 'service/catalog' }),
    ]);
  });

  test('a policy that allows all ingress to every pod is no default deny', () => {
    const allowAll = { metadata: { name: 'allow-all' }, spec: { podSelector: {}, ingress: [{}] } };
    expect(rulesOf(auditNetworkPolicies({ ...objects, networkPolicies: [allowAll] }))).toEqual([
      'network-policy-default-deny:high',
    ]);
  });
});

test('the namespace audit runs every rule over every object, and a bound account may keep its token', () => {
  const monkeyPod = withFlaw((pod) => {
    delete pod.spec!.automountServiceAccountToken;
    pod.spec!.serviceAccountName = 'security-monkey';
  });
  const objects: NamespaceObjects = {
    pods: [monkeyPod],
    services: [],
    networkPolicies: [],
    roles: [{ metadata: { name: 'wide' }, rules: [{ verbs: ['*'] }] }],
    roleBindings: [
      {
        metadata: { name: 'security-monkey' },
        roleRef: { kind: 'Role', name: 'wide' },
        subjects: [{ kind: 'ServiceAccount', name: 'security-monkey' }],
      },
    ],
    serviceAccounts: [],
  };
  expect(rulesOf(auditNamespace(objects))).toEqual(['network-policy-default-deny:high', 'rbac-wildcard:high']);
});

describe('self-reported posture', () => {
  test('reads the gauge as the Prometheus exporter writes it', () => {
    const exposition = [
      '# HELP streamplane_security_posture Always 1',
      '# TYPE streamplane_security_posture gauge',
      'streamplane_security_posture{faults="enabled",tls="disabled",development_secrets="STREAMPLANE_AUTH_SECRET,STREAMPLANE_CDN_SECRET"} 1',
    ].join('\n');
    expect(parsePosture(exposition)).toEqual({
      faults: 'enabled',
      tls: 'disabled',
      developmentSecrets: ['STREAMPLANE_AUTH_SECRET', 'STREAMPLANE_CDN_SECRET'],
    });
    expect(parsePosture('up 1\n')).toBeUndefined();
  });

  test('faults enabled is medium, TLS disabled and development secrets high, a clean posture nothing', () => {
    expect(auditPosture('catalog', { faults: 'disabled', tls: 'enabled', developmentSecrets: [] })).toEqual([]);
    expect(
      rulesOf(
        auditPosture('billing', {
          faults: 'enabled',
          tls: 'disabled',
          developmentSecrets: ['STREAMPLANE_AUTH_SECRET'],
        }),
      ),
    ).toEqual(['development-secrets:high', 'faults-enabled:medium', 'tls-disabled:high']);
    expect(rulesOf(auditPosture('edge', undefined, 'connect ECONNREFUSED'))).toEqual(['posture-unknown:medium']);
  });

  test("a process's posture from its own config: a secret at its built-in development default is named", () => {
    const schema = z.object({
      STREAMPLANE_FAULTS: z.enum(['enabled', 'disabled']).default('disabled'),
      STREAMPLANE_AUTH_SECRET: z.string().default(LOCAL_DEVELOPMENT_SECRET),
      STREAMPLANE_CDN_SECRET: z.string().default(LOCAL_DEVELOPMENT_SECRET),
    });
    const env = { STREAMPLANE_CDN_SECRET: 'a-secret-of-its-own-0123456789', STREAMPLANE_FAULTS: 'enabled' };
    expect(securityPostureOf(schema, schema.parse(env), env)).toEqual({
      faults: 'enabled',
      tls: 'disabled',
      developmentSecrets: ['STREAMPLANE_AUTH_SECRET'],
    });
    const explicit = {
      STREAMPLANE_AUTH_SECRET: LOCAL_DEVELOPMENT_SECRET,
      STREAMPLANE_CDN_SECRET: 'x'.repeat(20),
      STREAMPLANE_TLS: 'enabled',
    };
    expect(securityPostureOf(schema, schema.parse(explicit), explicit)).toEqual({
      faults: 'disabled',
      tls: 'enabled',
      developmentSecrets: ['STREAMPLANE_AUTH_SECRET'],
    });
  });
});

describe('the report', () => {
  const high: Finding = { rule: 'tls-disabled', severity: 'high', subject: 'catalog', message: 'm', fix: 'f' };
  const low: Finding = {
    rule: 'token-expired',
    severity: 'low',
    subject: 'playback-authorization',
    message: 'm',
    fix: 'f',
  };

  test('has exactly the design fields, most severe first, and counts by severity', () => {
    const report = securityReport([low, high]);
    expect(Object.keys(report).sort()).toEqual(['counts', 'findings']);
    expect(report.findings).toEqual([high, low]);
    expect(Object.keys(report.findings[0]!).sort()).toEqual(['fix', 'message', 'rule', 'severity', 'subject']);
    expect(report.counts).toEqual({ high: 1, medium: 0, low: 1 });
    expect(findingsTable(report)).toContain('2 finding(s): 1 high, 0 medium, 1 low');
  });

  test('the counter counts the findings by rule and severity in the Prometheus text format', () => {
    expect(findingsExposition(securityReport([high, low, { ...high, subject: 'billing' }]))).toBe(
      [
        "# HELP streamplane_security_findings_total Findings of the Security Monkey's last run, by rule and severity.",
        '# TYPE streamplane_security_findings_total counter',
        'streamplane_security_findings_total{rule="tls-disabled",severity="high"} 2',
        'streamplane_security_findings_total{rule="token-expired",severity="low"} 1',
        '',
      ].join('\n'),
    );
  });

  test('--fail-on: a finding reaches it at its severity or above; none never', () => {
    expect(reachesFailOn(securityReport([low]), 'high')).toBe(false);
    expect(reachesFailOn(securityReport([low]), 'low')).toBe(true);
    expect(reachesFailOn(securityReport([high]), 'medium')).toBe(true);
    expect(reachesFailOn(securityReport([high]), 'none')).toBe(false);
    expect(reachesFailOn(securityReport([]), 'low')).toBe(false);
  });
});

describe('command line', () => {
  test('defaults and options', () => {
    expect(parseSecurityArguments([])).toEqual({
      failOn: 'high',
      portOffset: 0,
      kubernetes: false,
      withoutEdge: false,
    });
    expect(
      parseSecurityArguments([
        '--fail-on',
        'none',
        '--report',
        'sec.json',
        '--port-offset',
        '100',
        '--kubernetes',
        '--without-edge',
        '--metrics',
        'sec.prom',
      ]),
    ).toEqual({
      failOn: 'none',
      reportPath: 'sec.json',
      portOffset: 100,
      kubernetes: true,
      withoutEdge: true,
      metricsPath: 'sec.prom',
    });
  });

  test('--push-gateway takes the base URL of a Pushgateway', () => {
    expect(parseSecurityArguments(['--push-gateway', 'http://pushgateway.monitoring:9091']).pushGateway?.href).toBe(
      'http://pushgateway.monitoring:9091/',
    );
  });

  test.each([
    [['--fail-on', 'critical']],
    [['--report']],
    [['--port-offset', '-1']],
    [['--force']],
    [['--push-gateway', 'pushgateway:9091']],
    [['--push-gateway', 'ftp://pushgateway']],
    [['--push-gateway', 'http://user:secret@pushgateway']],
    [['--push-gateway', 'http://pushgateway/?job=x']],
  ])('%j is bad usage', (args) => {
    expect(() => parseSecurityArguments(args)).toThrow();
  });

  test('targets: the variables, else the design ports moved by the offset', () => {
    const targets = securityTargets({ CATALOG_ADDR: '10.0.0.1:1', EDGE_METRICS_ADDR: 'edge:9480' }, 100);
    expect(targets.services.catalog).toBe('10.0.0.1:1');
    expect(targets.services.billing).toBe('127.0.0.1:50156');
    expect(targets.metrics).toMatchObject({
      catalog: '127.0.0.1:9551',
      'playback-authorization': '127.0.0.1:9554',
      edge: 'edge:9480',
    });
    expect(targets.edge).toBe('127.0.0.1:8180');
  });
});
