import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseTrace, type BandwidthTrace } from './trace';
import { generatedTrace, TRACE_NAMES } from './trace-models';

/** `--trace NAME|FILE`: a generated trace by name, else the file at that path (named after the file). */
export function loadTrace(nameOrFile: string): BandwidthTrace {
  if (TRACE_NAMES.includes(nameOrFile)) return generatedTrace(nameOrFile);
  return parseTrace(basename(nameOrFile), readFileSync(nameOrFile, 'utf8'), nameOrFile);
}

/** Every regular file of `dir` (not hidden), in name order, as a trace. */
export function loadTraceDirectory(dir: string): BandwidthTrace[] {
  const files = readdirSync(dir)
    .filter((name) => !name.startsWith('.') && statSync(join(dir, name)).isFile())
    .sort();
  if (files.length === 0) throw new Error(`${dir} holds no trace file`);
  return files.map((name) => parseTrace(name, readFileSync(join(dir, name), 'utf8'), join(dir, name)));
}
