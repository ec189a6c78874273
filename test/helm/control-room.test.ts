import { join } from 'node:path';
import { EDGE, SERVICE_NAMES } from '@streamplane/contracts';
import { CHART, renderChart, type KubernetesObject } from '@streamplane/testkit';
import { VARIANTS, connectionAllowed, named, ofKind, podOwners, type Container, type Endpoint } from './rendered';

/**
 * The chart's control room: absent by default; when enabled one Deployment running the control room without
 * the telemetry preload, told every workload's headless Service (so it sees each pod, ready or not), and
 * NetworkPolicies that let it read health and metrics of every instance while nothing reaches it. Schemas,
 * security contexts and resources are checked for the variant by chart.test.ts.
 */

const variant = VARIANTS.find((candidate) => candidate.name === 'control-room')!;
const WATCHED = [...SERVICE_NAMES, EDGE.name];

type Deployment = KubernetesObject & {
  spec: { replicas: number; template: { spec: { containers: Container[] } } };
};

describe('chart: the control room', () => {
  let byDefault: KubernetesObject[];
  let enabled: KubernetesObject[];

  beforeAll(async () => {
    [byDefault, enabled] = await Promise.all([
      renderChart({ set: { 'networkPolicy.enabled': 'true', 'edge.enabled': 'true' } }),
      renderChart({ values: [join(CHART, 'ci', 'control-room-values.yaml')] }),
    ]);
  }, 60_000);

  test('is off by default, and nothing of it is rendered, not even in the NetworkPolicies', () => {
    expect(byDefault.filter((object) => object.metadata.name.startsWith('control-room'))).toEqual([]);
    expect(byDefault.filter((object) => object.metadata.name.endsWith('-instances'))).toEqual([]);
    expect(JSON.stringify(ofKind(byDefault, 'NetworkPolicy'))).not.toContain('control-room');
  });

  test('runs the control room with plain node, watching every workload through its headless Service', () => {
    const deployment = named(enabled, 'Deployment', 'control-room') as Deployment;
    const [container] = deployment.spec.template.spec.containers;
    expect(container!.command).toEqual(['node']);
    expect(container!.args).toEqual(['/app/services/control-room/dist/main.js']);
    const env = Object.fromEntries((container!.env ?? []).map((variable) => [variable.name, variable.value]));
    expect(env).toMatchObject({ HTTP_PORT: '9400', OTLP_PORT: '0', CONTROL_ROOM_POLL_MS: '2000' });
    const targets = env.CONTROL_ROOM_TARGETS!.split(',').sort();
    expect(targets).toEqual(
      WATCHED.map((name) => {
        // A service's health on its plaintext health port, which needs no client certificate under tls.
        const ports = name === EDGE.name ? variant.values.edge : variant.values.services[name];
        const healthPort = name === EDGE.name ? ports.port : ports.healthPort;
        return `${name}=${name}-instances:${healthPort}/${ports.metricsPort}`;
      }).sort(),
    );
    for (const name of WATCHED) {
      const headless = named(enabled, 'Service', `${name}-instances`).spec as {
        clusterIP: string;
        publishNotReadyAddresses: boolean;
        selector: Record<string, string>;
      };
      expect(headless).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
      expect(headless.selector).toEqual((named(enabled, 'Service', name).spec as typeof headless).selector);
    }
  });

  test("reaches every instance's health and metrics port; nobody reaches it but a port-forward", () => {
    const policies = ofKind(enabled, 'NetworkPolicy');
    const pods = new Map<string, Endpoint>(
      podOwners(enabled).map((owner) => [owner.labels['app.kubernetes.io/name'], { labels: owner.labels }]),
    );
    const room = pods.get('control-room')!;
    for (const name of WATCHED) {
      const ports = name === EDGE.name ? variant.values.edge : variant.values.services[name];
      const healthPort = name === EDGE.name ? ports.port : ports.healthPort;
      expect(connectionAllowed(policies, room, pods.get(name)!, healthPort)).toBe(true);
      expect(connectionAllowed(policies, room, pods.get(name)!, ports.metricsPort)).toBe(true);
    }
    expect(connectionAllowed(policies, room, pods.get('redis')!, 6379)).toBe(false);
    expect(connectionAllowed(policies, room, 'outside', 443)).toBe(false);
    expect(connectionAllowed(policies, pods.get('catalog')!, room, variant.values.controlRoom.port)).toBe(false);
    expect(connectionAllowed(policies, 'outside', room, variant.values.controlRoom.port)).toBe(false);
  });
});
