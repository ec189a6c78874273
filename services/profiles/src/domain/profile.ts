import { InvalidArgumentError } from '@streamplane/platform/errors';
import { canonicalLanguageTagCase, isWellFormedLanguageTag } from '@streamplane/streaming';
import { quoted } from './util';

/**
 * The profile model and the rules that hold for a single profile, whatever store keeps it. Field names in
 * errors are the proto's (name, maturity_level, kids, language, avatar), because the message goes back to
 * the client unchanged.
 */

/** Maturity levels are ages (design page, section 3): a profile may play titles up to its level. */
export type MaturityLevel = 0 | 7 | 13 | 16 | 18;
export const MATURITY_LEVELS: readonly MaturityLevel[] = Object.freeze([0, 7, 13, 16, 18]);
/** Highest level a kids profile may have. */
export const KIDS_MAX_MATURITY_LEVEL = 7;
/** Level of a new kids profile that does not name one. */
export const DEFAULT_KIDS_MATURITY_LEVEL: MaturityLevel = 7;
/** Level of a new adult profile that does not name one: everything, as on every streaming service. */
export const DEFAULT_ADULT_MATURITY_LEVEL: MaturityLevel = 18;

/** Most profiles per account (the proto and the design page). */
export const MAX_PROFILES_PER_ACCOUNT = 5;
/** Longest profile name, in Unicode code points (the proto's limit; a profile picker tile fits it). */
export const MAX_NAME_LENGTH = 50;
/** Language of a new profile that does not name one. */
export const DEFAULT_LANGUAGE = 'en';
/** Longest avatar identifier ("avatar-07"); bounds what a client can make the store keep. */
export const MAX_AVATAR_LENGTH = 64;

export interface Profile {
  /** `<account id>-p<n>`, e.g. "acct-0001-p1"; never reused within an account (see ProfileStore). */
  profileId: string;
  accountId: string;
  /** Trimmed, NFC-normalised, 1–MAX_NAME_LENGTH code points, unique per account case-insensitively. */
  name: string;
  maturityLevel: MaturityLevel;
  /** A kids profile's maturity level is at most KIDS_MAX_MATURITY_LEVEL. */
  kids: boolean;
  /** BCP-47 tag in canonical case ("en", "es-419", "pt-BR"). */
  language: string;
  /** Avatar identifier; '' = the default avatar. */
  avatar: string;
  createTime: Date;
  /** Equals createTime until the first update that changes a value. */
  updateTime: Date;
}

export interface ViewingHistoryEntry {
  titleId: string;
  /** Last recorded position, 0..runtimeSeconds. */
  positionSeconds: number;
  /** The title's runtime when the progress was recorded (catalog's runtime_minutes × 60). */
  runtimeSeconds: number;
  /** positionSeconds ≥ 95 % of runtimeSeconds: the credits are rolling ("Continue watching" skips it). */
  completed: boolean;
  watchedAt: Date;
}

/** Fraction of the runtime from which a title counts as watched to the end. */
export const COMPLETED_FRACTION = 0.95;

/** Whether a position counts as completed. Integer arithmetic, so 95 % of 7440 s is exactly 7068 s. */
export function isCompleted(positionSeconds: number, runtimeSeconds: number): boolean {
  return positionSeconds * 100 >= runtimeSeconds * 95;
}

/** Control characters and line/paragraph separators: they break every UI that shows a name on one line. */
const FORBIDDEN_NAME_CHARS = /[\p{Cc}\p{Zl}\p{Zp}]/u;

/**
 * The name as stored: trimmed and NFC-normalised (so "é" typed two ways is one name). InvalidArgumentError
 * ('name', …) when it is empty after trimming, longer than MAX_NAME_LENGTH code points, or contains a
 * control character.
 */
export function normalizeName(name: string): string {
  const trimmed = name.normalize('NFC').trim();
  if (trimmed === '') throw new InvalidArgumentError('name', 'must not be empty');
  // Counted in code points, not UTF-16 units: an emoji is one character to the person typing it.
  const length = [...trimmed].length;
  if (length > MAX_NAME_LENGTH) {
    throw new InvalidArgumentError('name', `must be at most ${MAX_NAME_LENGTH} characters, got ${length}`);
  }
  if (FORBIDDEN_NAME_CHARS.test(trimmed)) {
    throw new InvalidArgumentError(
      'name',
      `must not contain control characters or line breaks, got ${quoted(trimmed)}`,
    );
  }
  return trimmed;
}

/**
 * The key two names are compared by for uniqueness within an account: NFC, then upper- and lower-cased, a
 * locale-independent approximation of Unicode full case folding ("Straße" and "STRASSE" collide, as
 * "Anna" and "ANNA" do). Stores keep it next to the name, so a database can put a unique index on
 * (account_id, name_key) and enforce the rule itself.
 */
export function nameKey(name: string): string {
  return name.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}

/** InvalidArgumentError('maturity_level', …) unless `level` is one of MATURITY_LEVELS. */
export function requireMaturityLevel(level: number): MaturityLevel {
  if (!(MATURITY_LEVELS as readonly number[]).includes(level)) {
    throw new InvalidArgumentError('maturity_level', `must be one of ${MATURITY_LEVELS.join(', ')}, got ${level}`);
  }
  return level as MaturityLevel;
}

/**
 * The one rule that spans two fields: a kids profile's maturity level is at most 7. `field` is the field
 * the caller changed (maturity_level, or kids when only that was updated), so the message points at what
 * the client did.
 */
export function checkKidsMaturity(kids: boolean, maturityLevel: number, field: 'maturity_level' | 'kids'): void {
  if (kids && maturityLevel > KIDS_MAX_MATURITY_LEVEL) {
    throw new InvalidArgumentError(
      field,
      field === 'kids'
        ? `a kids profile has a maturity_level of at most ${KIDS_MAX_MATURITY_LEVEL}, this profile has ` +
            `${maturityLevel}; lower maturity_level in the same update`
        : `a kids profile has a maturity_level of at most ${KIDS_MAX_MATURITY_LEVEL}, got ${maturityLevel}`,
    );
  }
}

/** The tag in canonical case; '' → DEFAULT_LANGUAGE. InvalidArgumentError('language', …) when malformed. */
export function normalizeLanguage(language: string): string {
  if (language === '') return DEFAULT_LANGUAGE;
  if (!isWellFormedLanguageTag(language)) {
    throw new InvalidArgumentError(
      'language',
      `${quoted(language)} is not a BCP-47 language tag (e.g. "en", "es-419", "pt-BR")`,
    );
  }
  return canonicalLanguageTagCase(language);
}

/**
 * The avatar as stored; '' is the default avatar. An identifier, not free text: printable, no spaces, at
 * most MAX_AVATAR_LENGTH characters (InvalidArgumentError('avatar', …) otherwise).
 */
export function normalizeAvatar(avatar: string): string {
  if (avatar === '') return '';
  if (avatar.length > MAX_AVATAR_LENGTH) {
    throw new InvalidArgumentError('avatar', `must be at most ${MAX_AVATAR_LENGTH} characters, got ${avatar.length}`);
  }
  if (!/^[A-Za-z0-9._-]+$/.test(avatar)) {
    throw new InvalidArgumentError(
      'avatar',
      `must be an identifier of letters, digits, ".", "_" or "-", got ${quoted(avatar)}`,
    );
  }
  return avatar;
}
