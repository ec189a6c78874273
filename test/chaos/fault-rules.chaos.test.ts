import { status, type ServiceError } from '@grpc/grpc-js';
import { PLATFORM_APIS, SERVICES } from '@streamplane/contracts';
import type { FaultRule } from '@streamplane/contracts/chaos/v1';
import {
  bufCurlJson,
  bufListMethods,
  ConsulDouble,
  healthClient,
  OtlpReceiver,
  startServiceProcess,
  testClient,
  type ServiceProcess,
  type TestClient,
} from '@streamplane/testkit';
import { REPO_ROOT } from '@streamplane/tools';
import { execFile } from 'node:child_process';
import { join } from 'node:path';

/**
 * Runtime fault rules against real catalog processes, one with STREAMPLANE_FAULTS=enabled and one without:
 * a rule set over gRPC fails or delays its share of calls from the next call on, shows on spans and in the
 * metrics, is listed, and once cleared every call answers; the disabled process does not serve the API at
 * all; `npm run chaos -- latency|error|list|clear` does the same on every instance, through static
 * addresses and through Consul.
 */

const FAULT_RULES = PLATFORM_APIS.faultRules;
const CHAOS_CLI = join(REPO_ROOT, 'scripts', 'dist', 'chaos.js');

/** Codes of `count` GetTitle calls sent `concurrency` at a time, each with `deadlineMs`. */
async function getTitleCodes(client: TestClient, count: number, concurrency: number, deadlineMs = 5_000) {
  const codes: Array<{ code: number; details: string }> = [];
  for (let sent = 0; sent < count; sent += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, count - sent) }, (_, i) =>
      client
        .call('GetTitle', { title_id: `tt${String(((sent + i) % 2000) + 1).padStart(5, '0')}` }, { deadlineMs })
        .then(
          () => ({ code: status.OK, details: '' }),
          (error: ServiceError) => ({ code: error.code, details: error.details }),
        ),
    );
    codes.push(...(await Promise.all(batch)));
  }
  return codes;
}

const countOf = (codes: ReadonlyArray<{ code: number }>, code: number) => codes.filter((c) => c.code === code).length;

/** `npm run chaos -- <args>` as a person runs it: the built tool, its exit code and both streams. */
function chaos(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CHAOS_CLI, ...args],
      { env: { PATH: process.env.PATH, ...env }, timeout: 20_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('runtime fault rules on a real service', () => {
  let receiver: OtlpReceiver | undefined;
  let enabled: ServiceProcess | undefined;
  let disabled: ServiceProcess | undefined;
  let admin: TestClient;
  let catalog: TestClient;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    enabled = await startServiceProcess('catalog', {
      STREAMPLANE_FAULTS: 'enabled',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      LOG_LEVEL: 'info',
    });
    disabled = await startServiceProcess('catalog', { LOG_LEVEL: 'info' });
    admin = testClient(FAULT_RULES, enabled.address);
    catalog = testClient(SERVICES.catalog, enabled.address);
  });

  afterEach(async () => {
    await admin?.call('ClearFaultRules', {});
  });

  afterAll(async () => {
    admin?.close();
    catalog?.close();
    await Promise.all([enabled?.stop(), disabled?.stop()]);
    await receiver?.stop();
  });

  it('fails its share of calls at once, shows on spans and metrics, is listed, and once cleared calls answer', async () => {
    const rule = await admin.call<FaultRule>('SetFaultRule', {
      method: 'GetTitle',
      error_code: 'UNAVAILABLE',
      percent: 30,
    });
    expect(rule).toMatchObject({
      rule_id: 'error-UNAVAILABLE-GetTitle',
      method: 'streamplane.catalog.v1.CatalogService/GetTitle',
      error_code: 'UNAVAILABLE',
      percent: 30,
    });

    const calls = 300;
    const codes = await getTitleCodes(catalog, calls, 20);
    const failed = countOf(codes, status.UNAVAILABLE);
    // Binomial(300, 0.3): mean 90, standard deviation 7.9; 4.5 of them either side.
    expect(failed).toBeGreaterThanOrEqual(54);
    expect(failed).toBeLessThanOrEqual(126);
    expect(countOf(codes, status.OK)).toBe(calls - failed);
    const failure = codes.find(({ code }) => code === status.UNAVAILABLE)!;
    expect(failure.details).toBe(
      'injected fault: catalog answered UNAVAILABLE (fault rule error-UNAVAILABLE-GetTitle)',
    );
    // Another method of the service is not touched.
    await expect(catalog.call('ListTitles', { page_size: 1 })).resolves.toBeDefined();

    const { rules } = await admin.call<{ rules: FaultRule[] }>('ListFaultRules', {});
    expect(rules).toEqual([expect.objectContaining({ rule_id: rule.rule_id, injected_calls: String(failed) })]);

    const metrics = await (await fetch(`http://127.0.0.1:${enabled!.metricsPort}/metrics`)).text();
    const injected = metrics
      .split('\n')
      .find((line) => line.startsWith('streamplane_faults_injected_total{') && line.includes(`rule="${rule.rule_id}"`));
    expect(injected).toMatch(/method="GetTitle"/);
    expect(injected).toMatch(/kind="error"/);
    expect(Number(injected!.split(' ').pop())).toBe(failed);

    const spans = await receiver!.waitFor(
      (all) => all.some((span) => span.attributes['streamplane.fault.error_code'] === 'UNAVAILABLE'),
      'a server span of a call the rule failed',
    );
    expect(spans.find((span) => span.attributes['streamplane.fault.error_code'] === 'UNAVAILABLE')).toMatchObject({
      name: 'streamplane.catalog.v1.CatalogService/GetTitle',
      attributes: expect.objectContaining({
        'streamplane.fault.rule_ids': [rule.rule_id],
        'rpc.grpc.status_code': status.UNAVAILABLE,
      }),
    });

    const { cleared_rules } = await admin.call<{ cleared_rules: FaultRule[] }>('ClearFaultRules', {});
    expect(cleared_rules.map(({ rule_id }) => rule_id)).toEqual([rule.rule_id]);
    expect(countOf(await getTitleCodes(catalog, 60, 20), status.OK)).toBe(60);
  });

  it('delays its share of calls: the delayed ones run out of their deadline, the others answer', async () => {
    await admin.call('SetFaultRule', { method: 'GetTitle', latency_ms: 5_000, percent: 50 });
    const calls = 20;
    const codes = await getTitleCodes(catalog, calls, 10, 1_000);
    const { rules } = await admin.call<{ rules: FaultRule[] }>('ListFaultRules', {});
    const delayed = Number(rules[0]!.injected_calls);
    // Binomial(20, 0.5) is 0 or 20 with probability 2e-6.
    expect(delayed).toBeGreaterThan(0);
    expect(delayed).toBeLessThan(calls);
    const byCode: Record<string, number> = {};
    for (const { code, details } of codes)
      byCode[`${status[code]} ${details}`.trim()] = (byCode[`${status[code]} ${details}`.trim()] ?? 0) + 1;
    expect({ byCode, delayed }).toEqual({
      byCode: expect.anything(),
      delayed: countOf(codes, status.DEADLINE_EXCEEDED),
    });
    expect(countOf(codes, status.OK)).toBe(calls - delayed);
  });

  it('never applies to health or to the admin API, even when it names every method', async () => {
    await admin.call('SetFaultRule', { error_code: 'UNAVAILABLE', percent: 100 });
    expect(countOf(await getTitleCodes(catalog, 5, 5), status.UNAVAILABLE)).toBe(5);
    const health = healthClient(enabled!.address);
    try {
      await expect(health.call('Check', {})).resolves.toEqual({ status: 'SERVING' });
    } finally {
      health.close();
    }
    const { rules } = await admin.call<{ rules: FaultRule[] }>('ListFaultRules', {});
    expect(rules.map(({ rule_id }) => rule_id)).toEqual(['error-UNAVAILABLE-all']);
  });

  it.each([
    [{ method: 'GetTitel', latency_ms: 10, percent: 10 }, 'method: CatalogService has no method "GetTitel"'],
    [{ method: 'GetTitle', latency_ms: 10, percent: 0 }, 'percent: must be above 0 and at most 100 (got 0)'],
    [{ error_code: 'UNAVAILABLE', latency_ms: 10, percent: 10 }, 'latency_ms: a rule either fails calls'],
    [{ error_code: 'OK', percent: 10 }, 'error_code: OK is not a fault'],
    [{ latency_ms: 60_001, percent: 10 }, 'latency_ms: must be between 1 and 60000 ms (got 60001)'],
    [{ latency_ms: 10, percent: 10, ttl: { seconds: 7200 } }, 'ttl: must be between 1 s and 1 h (got 7200 s)'],
  ])('refuses %j with INVALID_ARGUMENT naming the field', async (request, message) => {
    const error = await admin.fail('SetFaultRule', request);
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toContain(message);
  });

  it('clears a rule by id, and names an id it does not hold', async () => {
    await admin.call('SetFaultRule', { rule_id: 'slow-search', method: 'SearchTitles', latency_ms: 10, percent: 1 });
    const { cleared_rules } = await admin.call<{ cleared_rules: FaultRule[] }>('ClearFaultRules', {
      rule_id: 'slow-search',
    });
    expect(cleared_rules.map(({ rule_id }) => rule_id)).toEqual(['slow-search']);
    const error = await admin.fail('ClearFaultRules', { rule_id: 'slow-search' });
    expect(error.code).toBe(status.NOT_FOUND);
    expect(error.details).toBe('fault rule "slow-search" not found');
  });

  it('is served with reflection when enabled; disabled, it is UNIMPLEMENTED and absent from reflection', async () => {
    const served = await bufListMethods(enabled!.address);
    expect(served).toEqual(
      expect.arrayContaining([
        'streamplane.chaos.v1.FaultRulesService/SetFaultRule',
        'streamplane.chaos.v1.FaultRulesService/ListFaultRules',
        'streamplane.chaos.v1.FaultRulesService/ClearFaultRules',
      ]),
    );
    await expect(bufCurlJson(enabled!.address, `${FAULT_RULES.grpcService}/ListFaultRules`, {})).resolves.toEqual({});

    const notServed = await bufListMethods(disabled!.address);
    expect(notServed.filter((method) => method.startsWith('streamplane.chaos.'))).toEqual([]);
    expect(notServed).toContain('streamplane.catalog.v1.CatalogService/GetTitle');
    const client = testClient(FAULT_RULES, disabled!.address);
    try {
      expect((await client.fail('ListFaultRules', {})).code).toBe(status.UNIMPLEMENTED);
    } finally {
      client.close();
    }
  });

  describe('npm run chaos', () => {
    it('sets, lists and clears a rule on the instance', async () => {
      const env = { CATALOG_ADDR: enabled!.address };
      const where = `catalog ${enabled!.address}`;
      const set = await chaos(
        ['latency', '--service', 'catalog', '--method', 'GetTitle', '--delay', '300ms', '--percent', '10'],
        env,
      );
      expect(set).toMatchObject({ code: 0, stderr: '' });
      expect(set.stdout).toMatch(
        new RegExp(`^${where}  set latency-GetTitle: \\+300 ms on 10 % of GetTitle calls, 0 so far, until \\S+Z\\n$`),
      );

      const error = await chaos(
        ['error', '--service', 'catalog', '--code', 'UNAVAILABLE', '--percent', '30', '--ttl', '2m'],
        env,
      );
      expect(error.code).toBe(0);
      const listed = await chaos(['list', '--service', 'catalog'], env);
      expect(listed.code).toBe(0);
      expect(listed.stdout.trim().split('\n')).toEqual([
        expect.stringMatching(new RegExp(`^${where}  error-UNAVAILABLE-all: UNAVAILABLE on 30 % of all calls`)),
        expect.stringMatching(new RegExp(`^${where}  latency-GetTitle: \\+300 ms on 10 % of GetTitle calls`)),
      ]);

      const cleared = await chaos(['clear', '--service', 'catalog'], env);
      expect(cleared.code).toBe(0);
      expect(cleared.stdout).toContain(`${where}  cleared latency-GetTitle`);
      expect((await chaos(['list', '--service', 'catalog'], env)).stdout).toBe(`${where}  no rules\n`);
    });

    it.each([
      [['error', '--service', 'catalog', '--percent', '30'], 'error needs --code'],
      [['latency', '--service', 'nope', '--delay', '1s', '--percent', '1'], '--service: no service is called nope'],
      [
        ['latency', '--service', 'catalog', '--delay', '300', '--percent', '10'],
        '--delay takes a duration with its unit',
      ],
      [
        ['latency', '--service', 'catalog', '--delay', '2m', '--percent', '10'],
        '--delay: must be between 1 and 60000 ms',
      ],
      [['error', '--service', 'catalog', '--code', 'NOPE', '--percent', '10'], '--code: "NOPE" is not a gRPC status'],
      [['error', '--service', 'catalog', '--method', 'Nope', '--code', 'INTERNAL', '--percent', '5'], '--method: '],
      [['list', '--percent', '5'], 'unknown option --percent'],
    ])('exits 2 on %j with a one-line reason and the usage', async (args, reason) => {
      const { code, stdout, stderr } = await chaos(args, { CATALOG_ADDR: enabled!.address });
      expect(code).toBe(2);
      expect(stdout).toBe('');
      const [first, second] = stderr.split('\n');
      expect(first).toContain(reason);
      expect(second).toMatch(/^usage: npm run chaos -- latency/);
    });

    it('reaches every passing instance Consul knows, and says which does not serve the API', async () => {
      const consul = await ConsulDouble.start();
      try {
        const [enabledHost, enabledPort] = enabled!.address.split(':');
        const [disabledHost, disabledPort] = disabled!.address.split(':');
        consul.register({ id: 'catalog-a', name: 'catalog', address: enabledHost!, port: Number(enabledPort) });
        consul.register({ id: 'catalog-b', name: 'catalog', address: disabledHost!, port: Number(disabledPort) });
        // Not passing: never asked (its port is not even listening).
        consul.register({ id: 'catalog-c', name: 'catalog', address: '127.0.0.1', port: 1, status: 'critical' });
        const { code, stdout, stderr } = await chaos(
          ['error', '--service', 'catalog', '--code', 'INTERNAL', '--percent', '5'],
          { STREAMPLANE_DISCOVERY: 'consul', CONSUL_HTTP_ADDR: consul.address },
        );
        expect(code).toBe(1);
        expect(stdout).toMatch(new RegExp(`^catalog ${enabled!.address}  set error-INTERNAL-all: INTERNAL on 5 %`));
        expect(stderr).toBe(
          `catalog ${disabled!.address}: does not serve the fault rules API: start it with STREAMPLANE_FAULTS=enabled (e.g. STREAMPLANE_FAULTS=enabled npm start)\n`,
        );
        const { rules } = await admin.call<{ rules: FaultRule[] }>('ListFaultRules', {});
        expect(rules.map(({ rule_id }) => rule_id)).toEqual(['error-INTERNAL-all']);
      } finally {
        await consul.stop();
      }
    });

    it('exits 1 naming an instance that is unreachable', async () => {
      const { code, stderr } = await chaos(['list', '--service', 'billing'], { BILLING_ADDR: '127.0.0.1:1' });
      expect(code).toBe(1);
      expect(stderr).toMatch(/^billing 127\.0\.0\.1:1: is unreachable \(connect ECONNREFUSED 127\.0\.0\.1:1\)\n$/);
    });
  });
});
