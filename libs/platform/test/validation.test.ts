import { InvalidArgumentError } from '../src/errors/domain-errors';
import {
  boundedList,
  optionalCountry,
  optionalInteger,
  optionalIpAddress,
  pageSize,
  requireCountry,
  requireEnum,
  requireId,
  requireText,
} from '../src/validation';

function rejection(check: () => unknown): InvalidArgumentError {
  try {
    check();
  } catch (error) {
    if (error instanceof InvalidArgumentError) return error;
    throw error;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('request validation', () => {
  it('requires ids and names the field', () => {
    expect(rejection(() => requireId('', 'title_id')).message).toBe('title_id: is required');
    expect(rejection(() => requireId('   ', 'title_id')).field).toBe('title_id');
    expect(rejection(() => requireId('x'.repeat(65), 'title_id')).message).toMatch(/at most 64/);
    expect(rejection(() => requireId('tt 01', 'title_id')).message).toMatch(/letters, digits/);
    expect(requireId(' tt00001 ', 'title_id')).toBe('tt00001');
  });

  it('bounds free text', () => {
    expect(rejection(() => requireText('', 'query', 10)).message).toBe('query: is required');
    expect(rejection(() => requireText('x'.repeat(11), 'query', 10)).message).toMatch(/at most 10/);
  });

  it('accepts country codes case-insensitively and rejects others', () => {
    expect(requireCountry('us', 'country')).toBe('US');
    expect(rejection(() => requireCountry('', 'country')).message).toMatch(/^country: is required/);
    expect(rejection(() => requireCountry('USA', 'country')).message).toMatch(/^country: must be at most 2/);
    expect(rejection(() => requireCountry('1A', 'country')).message).toMatch(/alpha-2/);
  });

  it('treats an empty optional country as unset', () => {
    expect(optionalCountry('', 'country')).toBe('');
    expect(optionalCountry('de', 'country')).toBe('DE');
    expect(rejection(() => optionalCountry('Germany', 'country')).field).toBe('country');
  });

  it('bounds optional integers only when set', () => {
    expect(optionalInteger(undefined, 'max_maturity_level', { min: 0, max: 18 })).toBeUndefined();
    expect(optionalInteger(0, 'max_maturity_level', { min: 0, max: 18 })).toBe(0);
    expect(rejection(() => optionalInteger(19, 'max_maturity_level', { min: 0, max: 18 })).message).toBe(
      'max_maturity_level: must be between 0 and 18 (got 19)',
    );
  });

  it('gives page sizes a default and bounds', () => {
    const bounds = { defaultSize: 50, max: 500 };
    expect(pageSize(undefined, 'page_size', bounds)).toBe(50);
    expect(pageSize(500, 'page_size', bounds)).toBe(500);
    expect(rejection(() => pageSize(0, 'page_size', bounds)).message).toMatch(
      /^page_size: must be between 1 and 500 \(got 0\)/,
    );
    expect(rejection(() => pageSize(10_000, 'page_size', bounds)).message).toMatch(/got 10000/);
    expect(rejection(() => pageSize(-3, 'page_size', bounds)).field).toBe('page_size');
  });

  it('rejects unknown and unspecified enum values', () => {
    const kinds = ['KIND_A', 'KIND_B'] as const;
    expect(requireEnum('KIND_A', 'kind', kinds)).toBe('KIND_A');
    expect(rejection(() => requireEnum(99, 'kind', kinds)).message).toMatch(/^kind: has unknown value 99/);
    expect(rejection(() => requireEnum('KIND_UNSPECIFIED', 'kind', kinds)).message).toMatch(/^kind: is required/);
    expect(requireEnum('KIND_UNSPECIFIED', 'kind', kinds, { allowUnspecified: true })).toBeUndefined();
  });

  it('bounds repeated fields and names the failing item', () => {
    expect(rejection(() => boundedList([], 'title_ids', { min: 1, max: 3 }, requireId)).message).toMatch(
      /at least 1 item$/,
    );
    expect(rejection(() => boundedList(['a', 'b', 'c', 'd'], 'title_ids', { max: 3 }, requireId)).message).toMatch(
      /at most 3/,
    );
    expect(rejection(() => boundedList(['a', ''], 'title_ids', { max: 3 }, requireId)).field).toBe('title_ids[1]');
  });
});

describe('optionalIpAddress', () => {
  it('accepts IPv4, IPv6 and unset, and names the field otherwise', () => {
    expect(optionalIpAddress('203.0.113.7', 'client.ip')).toBe('203.0.113.7');
    expect(optionalIpAddress('2001:db8::1', 'client.ip')).toBe('2001:db8::1');
    expect(optionalIpAddress(undefined, 'client.ip')).toBe('');
    expect(() => optionalIpAddress('999.1.1.1', 'client.ip')).toThrow(/^client\.ip: must be an IPv4 or IPv6 address/);
  });
});
