import { InvalidArgumentError } from '@streamplane/platform/errors';
import {
  MATURITY_LEVELS,
  canonicalLanguageTagCase,
  checkKidsMaturity,
  isCompleted,
  isWellFormedLanguageTag,
  nameKey,
  normalizeAvatar,
  normalizeLanguage,
  normalizeName,
  requireMaturityLevel,
} from '../../src/domain';

describe('name rules', () => {
  it('trims and NFC-normalises', () => {
    expect(normalizeName('  Anna \t')).toBe('Anna');
    expect(normalizeName('Zoe\u0308')).toBe('Zo\u00eb');
    expect(normalizeName('Mary Ann')).toBe('Mary Ann');
  });

  it('rejects empty, too long and control characters with InvalidArgumentError("name")', () => {
    for (const bad of ['', '   ', 'a'.repeat(51), 'a\tb', 'a\u007fb', 'a\u2029b']) {
      expect(() => normalizeName(bad)).toThrow(InvalidArgumentError);
      try {
        normalizeName(bad);
      } catch (error) {
        expect((error as InvalidArgumentError).field).toBe('name');
      }
    }
    expect(normalizeName('a'.repeat(50))).toHaveLength(50);
  });

  it('compares names case-insensitively, across Unicode normal forms', () => {
    expect(nameKey('Anna')).toBe(nameKey('ANNA'));
    expect(nameKey('Straße')).toBe(nameKey('STRASSE'));
    expect(nameKey('Zo\u00eb')).toBe(nameKey('ZOE\u0308'));
    expect(nameKey('Léa')).not.toBe(nameKey('Lea'));
    expect(nameKey('Anna')).not.toBe(nameKey('Anna B'));
  });
});

describe('maturity rules', () => {
  it('accepts exactly 0, 7, 13, 16, 18', () => {
    expect(MATURITY_LEVELS).toEqual([0, 7, 13, 16, 18]);
    for (const level of MATURITY_LEVELS) expect(requireMaturityLevel(level)).toBe(level);
    for (const level of [-7, 1, 6, 8, 12, 17, 19, 21, 7.0001, Number.NaN]) {
      expect(() => requireMaturityLevel(level)).toThrow('maturity_level: must be one of 0, 7, 13, 16, 18');
    }
  });

  it('caps kids profiles at 7', () => {
    expect(() => checkKidsMaturity(true, 0, 'maturity_level')).not.toThrow();
    expect(() => checkKidsMaturity(true, 7, 'maturity_level')).not.toThrow();
    expect(() => checkKidsMaturity(false, 18, 'maturity_level')).not.toThrow();
    expect(() => checkKidsMaturity(true, 13, 'maturity_level')).toThrow('maturity_level: ');
    expect(() => checkKidsMaturity(true, 18, 'kids')).toThrow('kids: ');
  });
});

describe('language rules', () => {
  it('accepts well-formed BCP-47 tags and stores them in canonical case', () => {
    for (const [tag, canonical] of [
      ['en', 'en'],
      ['EN', 'en'],
      ['es-419', 'es-419'],
      ['pt-br', 'pt-BR'],
      ['zh-hans', 'zh-Hans'],
      ['ZH-HANT-tw', 'zh-Hant-TW'],
      ['de-CH-1996', 'de-CH-1996'],
      ['sl-rozaj-biske', 'sl-rozaj-biske'],
      ['en-US-u-CA-gregory', 'en-US-u-ca-gregory'],
      ['de-x-DE-Phonebk', 'de-x-de-phonebk'],
      ['X-Whatever', 'x-whatever'],
      ['i-KLINGON', 'i-klingon'],
      ['EN-gb-OED', 'en-GB-oed'],
      ['sgn-be-fr', 'sgn-BE-FR'],
    ]) {
      expect(isWellFormedLanguageTag(tag!)).toBe(true);
      expect(canonicalLanguageTagCase(tag!)).toBe(canonical);
      expect(normalizeLanguage(tag!)).toBe(canonical);
    }
  });

  it('defaults an empty language to "en"', () => {
    expect(normalizeLanguage('')).toBe('en');
  });

  it('rejects malformed tags with InvalidArgumentError("language")', () => {
    for (const bad of [
      'e',
      'en_US',
      'en-',
      '-en',
      'englishlanguage',
      'en--US',
      'en US',
      '12',
      'en-a',
      'x',
      'a'.repeat(65),
    ]) {
      expect(isWellFormedLanguageTag(bad)).toBe(false);
      expect(() => normalizeLanguage(bad)).toThrow('language: ');
    }
  });
});

describe('avatar rules', () => {
  it('accepts identifiers and the empty default', () => {
    expect(normalizeAvatar('')).toBe('');
    expect(normalizeAvatar('avatar-07')).toBe('avatar-07');
    expect(normalizeAvatar('kids.otter_2')).toBe('kids.otter_2');
  });

  it('rejects free text and overlong identifiers', () => {
    for (const bad of ['my avatar', 'a/b', '<script>', 'x'.repeat(65), 'é']) {
      expect(() => normalizeAvatar(bad)).toThrow('avatar: ');
    }
  });
});

describe('completion', () => {
  it('is reached at 95 % of the runtime, exactly', () => {
    expect(isCompleted(94, 100)).toBe(false);
    expect(isCompleted(95, 100)).toBe(true);
    expect(isCompleted(1253, 1320)).toBe(false);
    expect(isCompleted(1254, 1320)).toBe(true);
  });
});
