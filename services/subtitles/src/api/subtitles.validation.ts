import { InvalidArgumentError, requireText } from '@streamplane/platform';
import { isWellFormedLanguageTag, MAX_LANGUAGE_TAG_LENGTH } from '@streamplane/streaming';
import { quoted } from '../domain/util';

/** One entry of a language filter: a well-formed BCP-47 tag (any case; the domain compares case-insensitively). */
export function requireLanguageTag(value: unknown, field: string): string {
  const tag = requireText(value, field, MAX_LANGUAGE_TAG_LENGTH);
  if (!isWellFormedLanguageTag(tag)) {
    throw new InvalidArgumentError(field, `${quoted(tag)} is not a BCP-47 language tag (e.g. "en", "es-419", "pt-BR")`);
  }
  return tag;
}
