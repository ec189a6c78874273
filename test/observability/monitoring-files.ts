import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { REPO_ROOT } from '@streamplane/tools';

/**
 * What the observability tests share: the chart's rules and dashboards as data, the metric names the code
 * exports (read from the source, so that a renamed instrument fails here before a dashboard goes blank), and
 * the metric names a PromQL expression selects.
 */

/** Where prometheus and promtool come from (describeWhenInstalled's hint). */
export const PROMETHEUS_INSTALL_HINT = 'Debian package prometheus, which .ci/run installs';

export const MONITORING_FILES = join(REPO_ROOT, 'helm', 'streamplane', 'files');
export const ALERTS_FILE = join(MONITORING_FILES, 'alerts.yaml');
const DASHBOARDS_DIR = join(MONITORING_FILES, 'dashboards');

// ---- the rules ----

export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  rules: Rule[];
}

export function ruleGroups(): RuleGroup[] {
  return (parse(readFileSync(ALERTS_FILE, 'utf8')) as { groups: RuleGroup[] }).groups;
}

export function alertingRules(): (Rule & { alert: string })[] {
  return ruleGroups()
    .flatMap((group) => group.rules)
    .filter((rule): rule is Rule & { alert: string } => rule.alert !== undefined);
}

// ---- the dashboards ----

export interface Dashboard {
  file: string;
  uid: string;
  title: string;
  templating: { list: { name: string; type: string; query: unknown; datasource?: unknown }[] };
  panels: Panel[];
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { refId: string; expr: string; datasource?: { type: string; uid: string } }[];
}

export function dashboards(): Dashboard[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const path = join(DASHBOARDS_DIR, file);
      return {
        ...(JSON.parse(readFileSync(path, 'utf8')) as Omit<Dashboard, 'file'>),
        file: relative(REPO_ROOT, path),
      };
    });
}

export interface DashboardQuery {
  /** "Streamplane / Services: Stream starts per second" */
  where: string;
  expr: string;
}

export function dashboardQueries(): DashboardQuery[] {
  return dashboards().flatMap((dashboard) =>
    dashboard.panels.flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({ where: `${dashboard.title}: ${panel.title}`, expr: target.expr })),
    ),
  );
}

/** The one query of the panel titled `title`, e.g. to run the SPS expression the dashboards show. */
export function panelQuery(title: string): string {
  const matches = dashboardQueries().filter((query) => query.where.endsWith(`: ${title}`));
  if (matches.length !== 1) throw new Error(`${matches.length} dashboard queries under a panel titled ${title}`);
  return matches[0]!.expr;
}

/**
 * An expression as Grafana sends it: the dashboards' variables replaced (all namespaces), and the rate
 * interval Grafana would derive from the scrape interval given in its place.
 */
export function asGrafanaSendsIt(expr: string, rateInterval: string): string {
  return expr.replaceAll('$__rate_interval', rateInterval).replaceAll('$namespace', '.*');
}

// ---- metric names ----

const INSTRUMENT =
  /\.create(Counter|UpDownCounter|Histogram|Gauge|ObservableGauge|ObservableCounter|ObservableUpDownCounter)\(\s*'([a-z][a-z0-9_.]*)'/g;

/** How OpenTelemetry's Prometheus exporter names an instrument's series. */
function prometheusNames(kind: string, name: string): string[] {
  const base = name.replaceAll('.', '_');
  if (kind === 'Histogram') return [`${base}_bucket`, `${base}_sum`, `${base}_count`];
  if (kind === 'Counter' || kind === 'ObservableCounter') return [`${base}_total`];
  return [base];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Every series name the platform's processes export: the instruments created in libs/ and services/ sources,
 * the exporter's target_info, and the `up` Prometheus records for each target.
 */
export function exportedMetricNames(): Set<string> {
  const roots = ['libs', 'services'].flatMap((parent) =>
    readdirSync(join(REPO_ROOT, parent)).map((name) => join(REPO_ROOT, parent, name, 'src')),
  );
  const names = new Set(['target_info', 'up']);
  for (const file of roots.flatMap((root) => {
    try {
      return sourceFiles(root);
    } catch {
      return []; // a package without src/
    }
  })) {
    for (const [, kind, name] of readFileSync(file, 'utf8').matchAll(INSTRUMENT)) {
      for (const series of prometheusNames(kind!, name!)) names.add(series);
    }
  }
  return names;
}

const PROMQL_KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
]);

/**
 * The metric names `expr` selects. Strings, label matchers, ranges and grouping clauses are removed first; what
 * is left that is a name and no function call or keyword is a metric (Prometheus itself, in the real-Prometheus
 * test, checks that the expression parses at all).
 */
export function selectedMetrics(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...bare.matchAll(/(?<![\w:$.])([a-zA-Z_:][\w:]*)\b(?!\s*\()/g)].map((match) => match[1]!);
  return [...new Set(names.filter((name) => !PROMQL_KEYWORDS.has(name)))];
}

// ---- promtool ----

const run = promisify(execFile);

/** Runs the real promtool; never throws for a non-zero exit (tests look at the code and the output). */
export async function promtool(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd: REPO_ROOT, timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      output: `${failed.stdout ?? ''}${failed.stderr ?? ''}`,
    };
  }
}

/** Runs `work` with `files` (name: content) written into a temporary directory, removed afterwards. */
export async function withFiles<T>(files: Record<string, string>, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'streamplane-monitoring-'));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
