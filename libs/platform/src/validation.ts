import { isIP } from 'node:net';
import { InvalidArgumentError } from './errors/domain-errors';

/**
 * Request validation shared by every controller. Each check names the proto field it rejects, so a
 * caller always learns which part of the request to fix. Values arrive as proto-loader decodes them:
 * strings default to '', `optional` numbers are undefined when unset, enums are their value names (or
 * a number when the sender used a value this server does not know).
 */

const MAX_ID_LENGTH = 64;
const ID_CHARACTERS = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const COUNTRY_CODE = /^[A-Z]{2}$/;

export function requireId(value: unknown, field: string): string {
  const id = requireText(value, field, MAX_ID_LENGTH);
  if (!ID_CHARACTERS.test(id)) {
    throw new InvalidArgumentError(field, 'may contain only letters, digits, ".", "_" and "-"');
  }
  return id;
}

/** A non-empty string of at most `maxLength` characters, surrounding whitespace removed. */
export function requireText(value: unknown, field: string, maxLength: number): string {
  const text = optionalText(value, field, maxLength);
  if (text === '') throw new InvalidArgumentError(field, 'is required');
  return text;
}

/** A string of at most `maxLength` characters, possibly empty. */
export function optionalText(value: unknown, field: string, maxLength: number): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new InvalidArgumentError(field, 'must be a string');
  const text = value.trim();
  if (text.length > maxLength) {
    throw new InvalidArgumentError(field, `must be at most ${maxLength} characters (got ${text.length})`);
  }
  return text;
}

/** An ISO 3166-1 alpha-2 country code; lower case is accepted and upper-cased. */
export function requireCountry(value: unknown, field: string): string {
  const country = optionalText(value, field, 2).toUpperCase();
  if (country === '') throw new InvalidArgumentError(field, 'is required (an ISO 3166-1 alpha-2 code such as US)');
  if (!COUNTRY_CODE.test(country)) {
    throw new InvalidArgumentError(field, `must be an ISO 3166-1 alpha-2 code such as US (got "${String(value)}")`);
  }
  return country;
}

/** Like requireCountry, but '' (unset) is allowed and returned as ''. */
export function optionalCountry(value: unknown, field: string): string {
  if (value === undefined || value === null || value === '') return '';
  return requireCountry(value, field);
}

/** The longest textual IPv6 address (with an embedded IPv4 part). */
const MAX_IP_ADDRESS_LENGTH = 45;

/** An IPv4 or IPv6 address in text, or '' when unset. */
export function optionalIpAddress(value: unknown, field: string): string {
  const ip = optionalText(value, field, MAX_IP_ADDRESS_LENGTH);
  if (ip !== '' && isIP(ip) === 0) {
    throw new InvalidArgumentError(field, `must be an IPv4 or IPv6 address (got "${ip}")`);
  }
  return ip;
}

/** An `optional int32` that, when set, must be a whole number within min…max; undefined when unset. */
export function optionalInteger(
  value: unknown,
  field: string,
  bounds: { min: number; max: number },
): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new InvalidArgumentError(field, `must be between ${bounds.min} and ${bounds.max} (got ${String(value)})`);
  }
  return value;
}

export interface SizeBounds {
  /** Used when the field is not set. */
  defaultSize: number;
  max: number;
}

/** An `optional int32` size or limit: unset means the default; a set value must be within 1…max. */
export function pageSize(value: unknown, field: string, bounds: SizeBounds): number {
  if (value === undefined || value === null) return bounds.defaultSize;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > bounds.max) {
    throw new InvalidArgumentError(
      field,
      `must be between 1 and ${bounds.max} (got ${String(value)}); omit it for ${bounds.defaultSize}`,
    );
  }
  return value;
}

/**
 * An enum value the server knows. `<ENUM>_UNSPECIFIED` is rejected unless `allowUnspecified` is set, in
 * which case it is returned as undefined.
 */
export function requireEnum<T extends string>(
  value: unknown,
  field: string,
  known: readonly T[],
  options: { allowUnspecified?: boolean } = {},
): T | undefined {
  if (typeof value === 'string' && value.endsWith('_UNSPECIFIED')) {
    if (options.allowUnspecified) return undefined;
    throw new InvalidArgumentError(field, `is required (one of ${known.join(', ')})`);
  }
  if (typeof value === 'string' && (known as readonly string[]).includes(value)) return value as T;
  throw new InvalidArgumentError(
    field,
    `has unknown value ${JSON.stringify(value)} (expected one of ${known.join(', ')})`,
  );
}

/** A repeated field with a bounded number of items, each checked by `check(item, "field[i]")`. */
export function boundedList<T>(
  values: unknown,
  field: string,
  bounds: { min?: number; max: number },
  check: (item: unknown, itemField: string) => T,
): T[] {
  const list = Array.isArray(values) ? values : [];
  const min = bounds.min ?? 0;
  if (list.length < min) throw new InvalidArgumentError(field, `must have at least ${min} item${min === 1 ? '' : 's'}`);
  if (list.length > bounds.max) {
    throw new InvalidArgumentError(field, `must have at most ${bounds.max} items (got ${list.length})`);
  }
  return list.map((item, index) => check(item, `${field}[${index}]`));
}
