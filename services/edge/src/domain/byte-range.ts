/**
 * A Range request header (RFC 9110 §14) against a representation of `size` bytes. One range is served
 * as 206; a header that is not a single well-formed byte range is ignored (the whole body, 200), as the
 * RFC allows; a well-formed range that selects nothing is 416.
 */
export type RangeOutcome =
  | { readonly kind: 'whole' }
  | { readonly kind: 'partial'; readonly start: number; readonly end: number }
  | { readonly kind: 'unsatisfiable' };

const SINGLE_RANGE = /^bytes=(?:(?<start>\d+)-(?<end>\d*)|-(?<suffix>\d+))$/;

export function resolveRange(header: string | undefined, size: number): RangeOutcome {
  if (header === undefined) return { kind: 'whole' };
  const parts = SINGLE_RANGE.exec(header.replace(/\s+/g, ''))?.groups;
  if (!parts) return { kind: 'whole' };
  if (parts.suffix !== undefined) {
    const length = Number(parts.suffix);
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(parts.start);
  const last = parts.end === '' ? Infinity : Number(parts.end);
  if (last < start) return { kind: 'whole' }; // syntactically invalid (RFC 9110 §14.1.1): ignored
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(last, size - 1) };
}
