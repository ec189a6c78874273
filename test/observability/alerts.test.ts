import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { EDGE, SERVICE_NAMES } from '@streamplane/contracts';
import { describeWhenInstalled } from '@streamplane/testkit';
import {
  ALERTS_FILE,
  PROMETHEUS_INSTALL_HINT,
  alertingRules,
  exportedMetricNames,
  promtool,
  ruleGroups,
  selectedMetrics,
  withFiles,
} from './monitoring-files';

/**
 * The chart's alerting rules (helm/streamplane/files/alerts.yaml): what every alert carries for whoever gets
 * it, and, through the real promtool, that the file is valid and that each alert fires on the series of
 * alerts.test.yaml it is meant for and stays silent on the others.
 */

const UNIT_TESTS = join(__dirname, 'alerts.test.yaml');

const ALERTS = [
  'StreamStartSLOBurnRateFast',
  'StreamStartSLOBurnRateSlow',
  'BreakerStuckOpen',
  'RetryBudgetExhausted',
  'ServiceNotServing',
  'TlsCertificateExpiringSoon',
];

describe('the alerting rules', () => {
  it('are the stream-start burn rates, stuck breakers, exhausted retry budgets, services not serving and expiring certificates', () => {
    expect(alertingRules().map((rule) => rule.alert)).toEqual(ALERTS);
  });

  it.each(alertingRules().map((rule) => [rule.alert, rule] as const))(
    '%s has a severity, a summary, a description and a runbook hint',
    (alert, rule) => {
      expect(['critical', 'warning']).toContain(rule.labels?.severity);
      expect(Object.keys(rule.annotations ?? {}).sort()).toEqual(['description', 'runbook', 'summary']);
      // The README's section lists the alerts by name; the burn rates share one entry.
      expect(rule.annotations?.runbook).toBe(`README.md, section "Seeing it", ${alert.replace(/(Fast|Slow)$/, '')}`);
    },
  );

  it('select only metrics the platform exports, or that the rules themselves record', () => {
    const known = exportedMetricNames();
    for (const rule of ruleGroups().flatMap((group) => group.rules)) if (rule.record) known.add(rule.record);
    const unknown = ruleGroups()
      .flatMap((group) => group.rules)
      .flatMap((rule) => selectedMetrics(rule.expr).filter((metric) => !known.has(metric)));
    expect(unknown).toEqual([]);
  });

  it('know every job of the platform when a target is down', () => {
    const notServing = alertingRules().find((rule) => rule.alert === 'ServiceNotServing')!;
    const jobs = /up\{job=~"([^"]+)"\}/.exec(notServing.expr)?.[1]?.split('|');
    expect(jobs?.sort()).toEqual([...SERVICE_NAMES, EDGE.name].sort());
  });

  it('each fire in some unit test and stay silent in another', () => {
    const { tests } = parse(readFileSync(UNIT_TESTS, 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const cases = tests.flatMap((test) => test.alert_rule_test ?? []);
    for (const alert of ALERTS) {
      const outcomes = cases.filter((test) => test.alertname === alert).map((test) => test.exp_alerts.length > 0);
      expect({ alert, fires: outcomes.includes(true), staysSilent: outcomes.includes(false) }).toEqual({
        alert,
        fires: true,
        staysSilent: true,
      });
    }
  });
});

describeWhenInstalled('promtool', PROMETHEUS_INSTALL_HINT, 'the rules under promtool', () => {
  it('pass promtool check rules', async () => {
    const result = await promtool(['check', 'rules', ALERTS_FILE]);
    expect(result.output).toContain(`SUCCESS: ${ruleGroups().flatMap((group) => group.rules).length} rules found`);
    expect(result.code).toBe(0);
  });

  it('pass their unit tests (promtool test rules alerts.test.yaml)', async () => {
    const result = await promtool(['test', 'rules', UNIT_TESTS]);
    expect({ code: result.code, output: result.output }).toEqual({
      code: 0,
      output: expect.stringContaining('SUCCESS'),
    });
  });

  it('fail their unit tests when an alert is broken (the tests can fail)', async () => {
    // The same tests against the rules with the fast burn's threshold raised past what the burst reaches.
    const broken = readFileSync(ALERTS_FILE, 'utf8').replaceAll('14.4 * 0.005', '100 * 0.005');
    const result = await promtoolOnRules(broken);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('alertname: StreamStartSLOBurnRateFast');
  });
});

/** `promtool test rules` of alerts.test.yaml against `rules` instead of the chart's file. */
function promtoolOnRules(rules: string): Promise<{ code: number; output: string }> {
  const tests = parse(readFileSync(UNIT_TESTS, 'utf8')) as Record<string, unknown>;
  return withFiles(
    { 'alerts.yaml': rules, 'alerts.test.yaml': JSON.stringify({ ...tests, rule_files: ['alerts.yaml'] }) },
    (dir) => promtool(['test', 'rules', join(dir, 'alerts.test.yaml')]),
  );
}
