import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, telemetryConfigSchema } from '../../src/config/config';
import { packageVersionOf, serviceResource } from '../../src/telemetry/resource';

describe('serviceResource', () => {
  const saved = { ...process.env };
  afterEach(() => {
    // The SDK's envDetector reads process.env itself.
    process.env = { ...saved };
  });

  it('names the instance after the pod in Kubernetes, and after the process on its host elsewhere', () => {
    delete process.env.OTEL_RESOURCE_ATTRIBUTES;
    const pod = { podName: 'profiles-5c9d7f6b8-k2p4x', namespaceName: 'streamplane' };
    expect(serviceResource({ service: 'profiles', version: '1.2.3', kubernetes: pod }).attributes).toMatchObject({
      'service.name': 'profiles',
      'service.version': '1.2.3',
      'service.instance.id': pod.podName,
      'k8s.pod.name': pod.podName,
      'k8s.namespace.name': pod.namespaceName,
      'telemetry.sdk.language': 'nodejs',
    });
    const local = serviceResource({ service: 'profiles' }).attributes;
    expect(local['service.instance.id']).toBe(`${hostname()}-${process.pid}`);
    expect(Object.keys(local).filter((key) => key.startsWith('k8s.') || key === 'service.version')).toEqual([]);
  });

  it('lets OTEL_RESOURCE_ATTRIBUTES add and override attributes, but never service.name', () => {
    process.env.OTEL_RESOURCE_ATTRIBUTES =
      'deployment.environment.name=staging,service.version=2.0.0-rc.1,service.instance.id=blue%2C1,service.name=other';
    delete process.env.OTEL_SERVICE_NAME;
    expect(
      serviceResource({ service: 'billing', version: '1.2.3', kubernetes: { podName: 'billing-1' } }).attributes,
    ).toMatchObject({
      'deployment.environment.name': 'staging',
      'service.version': '2.0.0-rc.1',
      'service.instance.id': 'blue,1',
      'k8s.pod.name': 'billing-1',
      'service.name': 'billing',
    });
  });
});

describe('packageVersionOf', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'streamplane-version-'));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'workspace', version: '0.0.1' }));
    mkdirSync(join(root, 'services', 'catalog', 'dist'), { recursive: true });
    writeFileSync(join(root, 'services', 'catalog', 'package.json'), JSON.stringify({ version: '3.4.5' }));
    mkdirSync(join(root, 'services', 'unversioned', 'dist'), { recursive: true });
    writeFileSync(join(root, 'services', 'unversioned', 'package.json'), JSON.stringify({ name: 'unversioned' }));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("is the version of the package.json nearest above the entry point: the service's, not the workspace's", () => {
    expect(packageVersionOf(join(root, 'services', 'catalog', 'dist', 'main.js'))).toBe('3.4.5');
    expect(packageVersionOf(join(root, 'services', 'unversioned', 'dist', 'main.js'))).toBeUndefined();
    expect(packageVersionOf(join(root, 'main.js'))).toBe('0.0.1');
  });
});

describe('the telemetry configuration', () => {
  it('reads the pod and namespace, and accepts resource attributes in the SDK format', () => {
    expect(
      loadConfig(telemetryConfigSchema, {
        K8S_POD_NAME: 'edge-7f9c-abcde',
        K8S_NAMESPACE_NAME: 'streamplane',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test, team=video%3Dplayback,',
      }),
    ).toMatchObject({ K8S_POD_NAME: 'edge-7f9c-abcde', K8S_NAMESPACE_NAME: 'streamplane' });
  });

  it.each(['deployment.environment.name', 'a=b=c', '=test', 'a=%E0%A4%A'])(
    'refuses OTEL_RESOURCE_ATTRIBUTES=%s, which the SDK would drop silently',
    (value) => {
      expect(() => loadConfig(telemetryConfigSchema, { OTEL_RESOURCE_ATTRIBUTES: value })).toThrow(
        /OTEL_RESOURCE_ATTRIBUTES: expected key=value pairs separated by commas/,
      );
    },
  );
});
