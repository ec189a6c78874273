import { InvalidArgumentError } from './errors/domain-errors';

/**
 * Opaque page tokens. A token records where the next page starts and a fingerprint of the query that
 * produced it, so a token cannot silently be replayed against a different filter.
 */
interface PageCursor {
  /** Offset of the first item of the next page. */
  o: number;
  /** Fingerprint of the filter the token belongs to. */
  f: string;
}

export interface PageRequest {
  pageSize: number;
  /** Empty string for the first page. */
  pageToken: string;
}

export interface Page<T> {
  items: T[];
  /** Empty string on the last page. */
  nextPageToken: string;
}

export function encodePageToken(offset: number, fingerprint: string): string {
  const cursor: PageCursor = { o: offset, f: fingerprint };
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** Returns the offset a token points at; '' means the first page. */
export function decodePageToken(token: string, fingerprint: string, field = 'page_token'): number {
  if (token === '') return 0;
  let cursor: unknown;
  try {
    cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidArgumentError(field, 'is not a page token this service issued');
  }
  if (!isPageCursor(cursor)) {
    throw new InvalidArgumentError(field, 'is not a page token this service issued');
  }
  if (cursor.f !== fingerprint) {
    throw new InvalidArgumentError(field, 'belongs to a request with different filters');
  }
  return cursor.o;
}

function isPageCursor(value: unknown): value is PageCursor {
  if (typeof value !== 'object' || value === null) return false;
  const { o, f } = value as Record<string, unknown>;
  return Number.isSafeInteger(o) && (o as number) >= 0 && typeof f === 'string';
}

/** Slices an already filtered, stably ordered list into one page. */
export function paginate<T>(items: readonly T[], request: PageRequest, fingerprint: string): Page<T> {
  const start = decodePageToken(request.pageToken, fingerprint);
  const end = start + request.pageSize;
  return {
    items: items.slice(start, end),
    nextPageToken: end < items.length ? encodePageToken(end, fingerprint) : '',
  };
}
