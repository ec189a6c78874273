import { ENGLISH, OTHER_LANGUAGES, isWellFormedLanguageTag, languageMatches } from '../../src/domain';

describe('languages', () => {
  it('offer about twenty languages besides English, with unique well-formed tags', () => {
    expect(OTHER_LANGUAGES.length).toBeGreaterThanOrEqual(18);
    const tags = [ENGLISH, ...OTHER_LANGUAGES].map((language) => language.tag);
    expect(new Set(tags.map((tag) => tag.toLowerCase())).size).toBe(tags.length);
    for (const tag of tags) expect(isWellFormedLanguageTag(tag)).toBe(true);
    expect(tags).toEqual(expect.arrayContaining(['en', 'de', 'fr', 'es', 'es-419', 'pt-BR', 'ja', 'ko', 'zh-Hans']));
  });

  it('have placeholder text for every kind of track they can have', () => {
    for (const language of [ENGLISH, ...OTHER_LANGUAGES]) {
      expect(language.name).not.toBe('');
      expect(language.dialogue.length).toBeGreaterThanOrEqual(3);
      expect(language.forced.length).toBeGreaterThanOrEqual(2);
      for (const sound of language.sounds ?? []) expect(sound).toMatch(/^\[.+\]$/);
    }
    expect(ENGLISH.sounds).toContain('[door creaks]');
  });

  it.each(['en', 'EN', 'en-GB', 'es-419', 'pt-BR', 'zh-Hans', 'zh-Hant-TW', 'sr-Latn-RS', 'de-CH-1996', 'x-klingon'])(
    'accepts the well-formed tag %j',
    (tag) => expect(isWellFormedLanguageTag(tag)).toBe(true),
  );

  it.each(['', 'e', 'english!', 'en_US', 'en-', '-en', 'en--GB', 'en-GB-', '123', 'en-US-x', 'a'.repeat(70)])(
    'rejects the malformed tag %j',
    (tag) => expect(isWellFormedLanguageTag(tag)).toBe(false),
  );

  it('filters by RFC 4647 basic matching, case-insensitively', () => {
    expect(languageMatches('en', 'en')).toBe(true);
    expect(languageMatches('en', 'en-GB')).toBe(true);
    expect(languageMatches('EN', 'en-GB')).toBe(true);
    expect(languageMatches('es', 'es-419')).toBe(true);
    expect(languageMatches('zh', 'zh-Hans')).toBe(true);
    expect(languageMatches('ZH-hans', 'zh-Hans')).toBe(true);
    expect(languageMatches('es-419', 'es-419')).toBe(true);
    expect(languageMatches('es-419', 'es')).toBe(false);
    expect(languageMatches('es-MX', 'es-419')).toBe(false);
    expect(languageMatches('e', 'en')).toBe(false);
    expect(languageMatches('fr', 'fro')).toBe(false);
  });
});
