/**
 * The Prometheus text exposition format (version 0.0.4), as OpenTelemetry's PrometheusExporter writes it:
 * `# HELP`/`# TYPE`/`# UNIT` comments, then one sample a line, `name{label="value",…} value [timestamp]`.
 * Only samples matter here; comments are skipped. A line that is not a sample is reported, not thrown, so
 * that one odd line from a newer exporter never hides the rest of a scrape.
 */

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
}

export interface Exposition {
  readonly samples: Sample[];
  /** Lines that were neither comments nor samples, each with its line number. */
  readonly problems: string[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', n: '\n' };

export function parsePrometheusText(text: string): Exposition {
  const samples: Sample[] = [];
  const problems: string[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const sample = parseSample(line);
    if (typeof sample === 'string') problems.push(`line ${index + 1}: ${sample}`);
    else samples.push(sample);
  }
  return { samples, problems };
}

/** One sample line, or why it is none. */
function parseSample(line: string): Sample | string {
  const name = METRIC_NAME.exec(line)?.[0];
  if (!name) return 'no metric name';
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    const parsed = parseLabels(line, at + 1, labels);
    if (typeof parsed === 'string') return parsed;
    at = parsed;
  }
  // The value, then an optional timestamp (ignored: the scrape's own time is what rates are taken over).
  const [valueText, ...rest] = line.slice(at).trim().split(/\s+/);
  if (valueText === undefined || valueText === '' || rest.length > 1) return 'expected a value after the labels';
  const value = parseValue(valueText);
  if (value === undefined) return `"${valueText}" is not a number`;
  return { name, labels, value };
}

/** Reads `label="value",…}` from `start` into `labels`; the index after the `}`, or a problem. */
function parseLabels(line: string, start: number, labels: Record<string, string>): number | string {
  let at = start;
  for (;;) {
    while (line[at] === ' ') at++;
    if (line[at] === '}') return at + 1;
    const labelName = LABEL_NAME.exec(line.slice(at))?.[0];
    if (!labelName) return `bad label name at column ${at + 1}`;
    at += labelName.length;
    if (line[at] !== '=' || line[at + 1] !== '"') return `expected ="…" after label ${labelName}`;
    at += 2;
    let value = '';
    for (; at < line.length && line[at] !== '"'; at++) {
      if (line[at] === '\\') {
        const escaped = line[++at] ?? '';
        value += ESCAPES[escaped] ?? `\\${escaped}`;
      } else {
        value += line[at];
      }
    }
    if (at >= line.length) return `unterminated value of label ${labelName}`;
    labels[labelName] = value;
    at++;
    while (line[at] === ' ') at++;
    if (line[at] === ',') at++;
    else if (line[at] !== '}') return `expected "," or "}" after label ${labelName}`;
  }
}

function parseValue(text: string): number | undefined {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const value = Number(text);
  return Number.isNaN(value) ? undefined : value;
}
