import { CHART, helm } from '@streamplane/testkit';

/**
 * Values the chart must refuse before anything reaches a cluster: helm exits non-zero and says which value
 * is wrong (values.schema.json for shapes and ranges, templates/validate.yaml for rules across values).
 */

interface Case {
  what: string;
  /** --set arguments (key=value); a value given as JSON goes through --set-json. */
  set?: Record<string, string>;
  setJson?: Record<string, string>;
  /** What stderr must contain: the path or name of the offending value. */
  names: RegExp;
}

const CASES: Case[] = [
  {
    what: 'negative replicas',
    set: { 'services.catalog.replicas': '-1' },
    names: /\/services\/catalog\/replicas': minimum: got -1, want 1/,
  },
  {
    what: 'an unknown service',
    set: { 'services.search.port': '50058' },
    names: /additional properties 'search' not allowed/,
  },
  {
    what: 'a port that is not a number',
    set: { 'services.profiles.port': 'abc' },
    names: /\/services\/profiles\/port': got string, want integer/,
  },
  {
    what: 'a port out of range',
    set: { 'services.billing.metricsPort': '70000' },
    names: /\/services\/billing\/metricsPort'/,
  },
  {
    what: 'Consul disabled without an external address',
    set: { 'consul.enabled': 'false' },
    names: /\/consul\/externalAddress': minLength: got 0, want 1/,
  },
  {
    what: 'an external Consul address that is not host:port',
    set: { 'consul.enabled': 'false', 'consul.externalAddress': 'consul.example.com' },
    names: /\/consul\/externalAddress'.*does not match pattern/,
  },
  {
    what: 'an unknown pull policy',
    set: { 'image.pullPolicy': 'Sometimes' },
    names: /\/image\/pullPolicy': value must be one of/,
  },
  { what: 'the latest tag', set: { 'image.tag': 'latest' }, names: /\/image\/tag'/ },
  { what: 'a dependency on its latest tag', set: { 'jaeger.image.tag': 'latest' }, names: /\/jaeger\/image\/tag'/ },
  {
    what: 'a service without resources',
    set: { 'services.steering.resources': 'null' },
    names: /\/services\/steering': missing property 'resources'/,
  },
  {
    what: 'resources without limits',
    set: { 'services.subtitles.resources.limits': 'null' },
    names: /\/services\/subtitles\/resources': missing property 'limits'/,
  },
  {
    what: 'a misspelt top-level key',
    set: { 'networkPolicies.enabled': 'true' },
    names: /additional properties 'networkPolicies'/,
  },
  {
    what: 'an OTLP endpoint without a port',
    set: { 'jaeger.enabled': 'false', 'jaeger.externalOtlpEndpoint': 'http://collector' },
    names: /\/jaeger\/externalOtlpEndpoint'/,
  },
  { what: 'a short auth secret', set: { 'secrets.authSecret': 'too-short' }, names: /\/secrets\/authSecret'/ },
  {
    what: 'a CDN secret of 31 characters, under the 32 bytes the services require',
    set: { 'secrets.cdnSecret': 'x'.repeat(31) },
    names: /\/secrets\/cdnSecret'/,
  },
  {
    what: 'tls.certManager true, which names no issuer',
    setJson: { 'tls.certManager': 'true' },
    names: /\/tls\/certManager'/,
  },
  { what: 'an unknown cert-manager issuer kind', set: { 'tls.issuerKind': 'Vault' }, names: /\/tls\/issuerKind'/ },
  {
    what: 'a service without its health port',
    setJson: { 'services.catalog.healthPort': 'null' },
    names: /\/services\/catalog'.*healthPort|healthPort/,
  },
  { what: 'an unknown log level', set: { logLevel: 'verbose' }, names: /\/logLevel': value must be one of/ },
  {
    what: 'a drain longer than the platform allows',
    set: { 'shutdown.drainMs': '600000' },
    names: /\/shutdown\/drainMs'/,
  },
  {
    what: 'PostgreSQL disabled without an external URL',
    set: { 'postgresql.enabled': 'false' },
    names: /postgresql\.enabled=false needs postgresql\.externalUrl/,
  },
  {
    what: 'Redis disabled without an external URL',
    set: { 'redis.enabled': 'false' },
    names: /redis\.enabled=false needs redis\.externalUrl/,
  },
  {
    what: 'an external URL that the existing Secret would hide',
    set: {
      'secrets.existingSecret': 'mine',
      'postgresql.enabled': 'false',
      'postgresql.externalUrl': 'postgres://u:p@db:5432/d',
    },
    names: /postgresql\.externalUrl is stored in the chart's Secret/,
  },
  {
    what: 'an extra env var that the chart sets',
    set: { 'services.catalog.env.GRPC_PORT': '1' },
    names: /services\.catalog\.env\.GRPC_PORT is set by the chart/,
  },
  {
    what: 'an env var name that is not one',
    setJson: { 'services.catalog.env': '{"title-count":"10"}' },
    names: /'title-count' does not match pattern/,
  },
  {
    what: 'a PodDisruptionBudget that would block every drain',
    set: { 'services.billing.replicas': '1' },
    names: /services\.billing: podDisruptionBudget\.minAvailable \(1\) must be lower than its replicas \(1\)/,
  },
  {
    what: 'catalog and steering seeding different titles',
    set: { 'services.catalog.env.CATALOG_TITLE_COUNT': '3000' },
    names: /CATALOG_TITLE_COUNT \(3000\) and services\.steering\.env\.STEERING_TITLE_COUNT \(2000\) must be equal/,
  },
  {
    what: 'an edge appliance id that is no host name label',
    set: { 'edge.enabled': 'true' },
    setJson: { 'edge.applianceIds': '"oca-us-east-00001,OCA_2"' },
    names: /\/edge\/applianceIds'.*does not match pattern/,
  },
  {
    what: 'an edge fill window that is not HH:MM-HH:MM',
    set: { 'edge.enabled': 'true', 'edge.fill.window': '2-14' },
    names: /\/edge\/fill\/window'.*does not match pattern/,
  },
  {
    what: 'an edge fill region that does not exist',
    set: { 'edge.enabled': 'true', 'edge.fill.region': 'mars' },
    names: /\/edge\/fill\/region': value must be one of/,
  },
  {
    what: 'a misspelt edge key',
    set: { 'edge.enable': 'true' },
    names: /additional properties 'enable' not allowed/,
  },
  {
    what: 'an extra edge env var that the chart sets',
    set: { 'edge.enabled': 'true', 'edge.env.EDGE_FILL_WINDOW': '00:00-24:00' },
    names: /edge\.env\.EDGE_FILL_WINDOW is set by the chart/,
  },
  {
    what: 'an edge PodDisruptionBudget that would block every drain',
    set: { 'edge.enabled': 'true', 'edge.replicas': '1' },
    names: /edge: podDisruptionBudget\.minAvailable \(1\) must be lower than its replicas \(1\)/,
  },
];

describe('values the chart refuses', () => {
  test.each(CASES.map((testCase) => [testCase.what, testCase] as const))('%s', async (_what, testCase) => {
    const args = ['template', 'streamplane', CHART];
    for (const [key, value] of Object.entries(testCase.set ?? {})) args.push('--set', `${key}=${value}`);
    for (const [key, value] of Object.entries(testCase.setJson ?? {})) args.push('--set-json', `${key}=${value}`);
    const result = await helm(args);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(testCase.names);
  });

  test('and the defaults it accepts', async () => {
    const result = await helm(['template', 'streamplane', CHART]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
