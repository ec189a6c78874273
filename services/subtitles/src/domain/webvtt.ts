/**
 * WebVTT writing and checking (W3C WebVTT: https://www.w3.org/TR/webvtt1/).
 *
 * The writer emits the plain subset players handle everywhere: a "WEBVTT" line, a blank line, an
 * optional NOTE block, then cues of `id`, `HH:MM:SS.mmm --> HH:MM:SS.mmm`, text lines, each block
 * followed by a blank line. The checker accepts the whole file syntax (hours optional, cue settings,
 * NOTE/STYLE/REGION blocks, CRLF) so it can judge documents it did not write, and adds the rules this
 * service promises on top of the spec: cues in order and non-overlapping, every cue with text, and, when
 * a runtime is given, every cue ending within it.
 */

export interface VttCue {
  /** Cue identifier, or '' when the cue has none. */
  id: string;
  startMs: number;
  endMs: number;
  /** Cue settings after the timing ("line:10%"), '' when none. */
  settings: string;
  /** Payload lines, as written (escaped). */
  lines: string[];
}

export interface ParsedWebVtt {
  cues: VttCue[];
  /** Human-readable problems; empty when the document is valid. */
  problems: string[];
}

export interface ValidateWebVttOptions {
  /** When set, every cue must end at or before this many milliseconds. */
  runtimeMs?: number;
}

/** Milliseconds → "HH:MM:SS.mmm" (hours grow past two digits when needed, as WebVTT allows). */
export function formatVttTimestamp(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new RangeError(`a WebVTT timestamp needs a non-negative integer of milliseconds, got ${ms}`);
  }
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor(ms / 60_000) % 60;
  const seconds = Math.floor(ms / 1000) % 60;
  const millis = ms % 1000;
  return `${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(millis, 3)}`;
}

/** "HH:MM:SS.mmm" or "MM:SS.mmm" → milliseconds; undefined when malformed. */
export function parseVttTimestamp(text: string): number | undefined {
  const match = /^(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})$/.exec(text);
  if (!match) return undefined;
  const [, h, m, s, ms] = match;
  return Number(h ?? 0) * 3_600_000 + Number(m) * 60_000 + Number(s) * 1000 + Number(ms);
}

/** Escapes the characters cue text must not contain raw ('&', '<', '>'); folds line breaks to spaces. */
export function escapeCueText(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Text safe for a NOTE block: one line, no "-->" (which would end the note and start a cue). */
export function noteText(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/-{2,}>/g, '->');
}

export interface CueInput {
  id: string;
  startMs: number;
  endMs: number;
  /** Plain text lines; escaped by the writer. */
  lines: readonly string[];
  settings?: string;
}

/** Serialises a document. `note` (optional) becomes a NOTE block before the first cue. */
export function renderWebVtt(cues: readonly CueInput[], note?: string): string {
  const blocks: string[] = ['WEBVTT'];
  if (note !== undefined && note !== '') blocks.push(`NOTE ${noteText(note)}`);
  for (const cue of cues) {
    const timing = `${formatVttTimestamp(cue.startMs)} --> ${formatVttTimestamp(cue.endMs)}`;
    const settings = cue.settings ? ` ${cue.settings}` : '';
    blocks.push([cue.id, timing + settings, ...cue.lines.map(escapeCueText)].join('\n'));
  }
  return `${blocks.join('\n\n')}\n`;
}

const TIMING = /^(\S+)[ \t]+-->[ \t]+(\S+)(?:[ \t]+(.*))?$/;

/** Parses a document into cues and reports every syntax problem and every breach of the service rules. */
export function parseWebVtt(content: string, options: ValidateWebVttOptions = {}): ParsedWebVtt {
  const problems: string[] = [];
  const cues: VttCue[] = [];
  const text = content.startsWith('\uFEFF') ? content.slice(1) : content;
  if (text.includes('\0')) problems.push('contains a NUL character');
  const lines = text.split(/\r\n|\r|\n/);

  if (!/^WEBVTT(?:[ \t].*)?$/.test(lines[0] ?? '')) {
    problems.push('must start with a "WEBVTT" line');
    return { cues, problems };
  }
  let i = 1;
  // Header: lines up to the first blank line. A timing line here means the blank line is missing.
  for (; i < lines.length && lines[i] !== ''; i++) {
    if (lines[i]!.includes('-->')) problems.push(`line ${i + 1}: "WEBVTT" must be followed by a blank line`);
  }

  const ids = new Set<string>();
  let previous: VttCue | undefined;
  while (i < lines.length) {
    if (lines[i] === '') {
      i++;
      continue;
    }
    const first = i;
    const block: string[] = [];
    for (; i < lines.length && lines[i] !== ''; i++) block.push(lines[i]!);
    const where = `line ${first + 1}`;

    if (/^NOTE(?:[ \t]|$)/.test(block[0]!)) {
      if (block.some((line) => line.includes('-->'))) problems.push(`${where}: a NOTE must not contain "-->"`);
      continue;
    }
    if (/^(?:STYLE|REGION)[ \t]*$/.test(block[0]!)) {
      if (cues.length > 0) problems.push(`${where}: ${block[0]!.trim()} blocks must come before the first cue`);
      continue;
    }

    const hasId = !block[0]!.includes('-->');
    const id = hasId ? block[0]! : '';
    const timingLine = hasId ? block[1] : block[0];
    if (timingLine === undefined || !timingLine.includes('-->')) {
      problems.push(`${where}: expected a cue timing line "HH:MM:SS.mmm --> HH:MM:SS.mmm"`);
      continue;
    }
    const timing = TIMING.exec(timingLine);
    const startMs = timing ? parseVttTimestamp(timing[1]!) : undefined;
    const endMs = timing ? parseVttTimestamp(timing[2]!) : undefined;
    if (startMs === undefined || endMs === undefined) {
      problems.push(`${where}: malformed cue timing ${JSON.stringify(timingLine)}`);
      continue;
    }
    const payload = block.slice(hasId ? 2 : 1);
    const cue: VttCue = { id, startMs, endMs, settings: timing![3] ?? '', lines: payload };
    const label = id === '' ? `cue at ${where}` : `cue ${JSON.stringify(id)}`;

    if (id !== '') {
      if (ids.has(id)) problems.push(`${label}: duplicate cue id`);
      ids.add(id);
    }
    if (endMs <= startMs) problems.push(`${label}: ends at or before its start`);
    if (payload.length === 0) problems.push(`${label}: has no text`);
    if (payload.some((line) => line.includes('-->'))) problems.push(`${label}: text must not contain "-->"`);
    if (payload.some((line) => /&(?![a-z]+;|#\d+;|#x[0-9a-f]+;)/i.test(line))) {
      problems.push(`${label}: unescaped "&" in text`);
    }
    if (previous) {
      if (startMs < previous.startMs) problems.push(`${label}: starts before the previous cue`);
      else if (startMs < previous.endMs) problems.push(`${label}: overlaps the previous cue`);
    }
    if (options.runtimeMs !== undefined && endMs > options.runtimeMs) {
      problems.push(`${label}: ends at ${formatVttTimestamp(endMs)}, after the runtime`);
    }
    cues.push(cue);
    previous = cue;
  }
  return { cues, problems };
}

/** The problems of a document (empty = valid); see {@link parseWebVtt}. */
export function validateWebVtt(content: string, options: ValidateWebVttOptions = {}): string[] {
  return parseWebVtt(content, options).problems;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
