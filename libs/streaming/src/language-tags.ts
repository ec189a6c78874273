/**
 * BCP-47 language tags (profiles' preferred language, subtitles' language filters).
 *
 * Checked for syntax only (RFC 5646), not against the IANA registry: the language drives subtitle and
 * localized-name choice, and a well-formed tag nobody ships ("qq") simply matches nothing there. One
 * grammar for the whole platform, so a language profiles accepts is one subtitles can be asked for.
 *
 * Canonical case ("pt-BR", "zh-Hans", "es-419") lets clients compare stored tags as strings: "PT-br" and
 * "pt-BR" are the same language.
 */

/** Longest tag accepted; RFC 5646 asks implementations to support at least 35. */
export const MAX_LANGUAGE_TAG_LENGTH = 64;

/** RFC 5646 "langtag" and "privateuse" productions. */
const LANGTAG = new RegExp(
  '^(?:' +
    // language: 2-3 letters with up to three extlangs, or 4 letters (reserved), or 5-8 letters
    '(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})' +
    '(?:-[a-z]{4})?' + // script
    '(?:-(?:[a-z]{2}|[0-9]{3}))?' + // region
    '(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*' + // variants
    '(?:-[a-wyz0-9](?:-[a-z0-9]{2,8})+)*' + // extensions (any singleton but x)
    '(?:-x(?:-[a-z0-9]{1,8})+)?' + // private use
    '|x(?:-[a-z0-9]{1,8})+' + // a private-use tag on its own
    ')$',
  'i',
);

/** RFC 5646 grandfathered tags, which do not follow the langtag syntax but are valid BCP-47. */
const GRANDFATHERED: ReadonlySet<string> = new Set(
  [
    'en-GB-oed',
    'i-ami',
    'i-bnn',
    'i-default',
    'i-enochian',
    'i-hak',
    'i-klingon',
    'i-lux',
    'i-mingo',
    'i-navajo',
    'i-pwn',
    'i-tao',
    'i-tay',
    'i-tsu',
    'sgn-BE-FR',
    'sgn-BE-NL',
    'sgn-CH-DE',
    'art-lojban',
    'cel-gaulish',
    'no-bok',
    'no-nyn',
    'zh-guoyu',
    'zh-hakka',
    'zh-min',
    'zh-min-nan',
    'zh-xiang',
  ].map((tag) => tag.toLowerCase()),
);

/** Whether `tag` is a syntactically well-formed BCP-47 language tag (case-insensitive). */
export function isWellFormedLanguageTag(tag: string): boolean {
  if (tag.length === 0 || tag.length > MAX_LANGUAGE_TAG_LENGTH) return false;
  return LANGTAG.test(tag) || GRANDFATHERED.has(tag.toLowerCase());
}

/**
 * The tag in the case RFC 5646 §2.1.1 recommends: language and everything after a singleton in lower
 * case, two-letter regions upper case, four-letter scripts title case ("ZH-hant-tw" → "zh-Hant-TW",
 * "es-419", "en-GB-oed", "de-x-Phonebk" → "de-x-phonebk"). Expects a well-formed tag.
 */
export function canonicalLanguageTagCase(tag: string): string {
  const subtags = tag.toLowerCase().split('-');
  let afterSingleton = false;
  return subtags
    .map((subtag, index) => {
      if (index === 0 || afterSingleton) {
        if (subtag.length === 1) afterSingleton = true;
        return subtag;
      }
      if (subtag.length === 1) {
        afterSingleton = true;
        return subtag;
      }
      if (subtag.length === 2) return subtag.toUpperCase();
      if (subtag.length === 4 && /^[a-z]{4}$/.test(subtag)) return subtag[0]!.toUpperCase() + subtag.slice(1);
      return subtag;
    })
    .join('-');
}
