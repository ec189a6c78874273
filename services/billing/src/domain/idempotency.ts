import { AlreadyExistsError, InvalidArgumentError } from '@streamplane/platform/errors';

/**
 * Idempotency keys of the mutating RPCs: what a key is scoped to, how long it is remembered, what a
 * well-formed key looks like, and what reusing one for another request means. Every store applies these
 * same rules (see application/billing-store.ts).
 */

export type MutatingOperation = 'ChangePlan' | 'CancelSubscription';

/** Keys are scoped to the RPC and the account: the same key on another account or RPC is unrelated. */
export interface IdempotencyScope {
  operation: MutatingOperation;
  accountId: string;
  /** Already validated by the caller; '' means "no key": the mutation simply applies. */
  idempotencyKey: string;
}

/** How long an idempotency key is remembered: the proto promises at least 24 hours. */
export const IDEMPOTENCY_KEY_RETENTION_MS = 24 * 60 * 60 * 1000;

/** Longest idempotency key, in characters (the proto: 1 to 128 printable ASCII characters). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 128;

/**
 * '' (no key) or 1–128 printable ASCII characters (U+0020 to U+007E, space included, as in the usual
 * definition of "printable"). Throws InvalidArgumentError('idempotency_key', …).
 */
export function validateIdempotencyKey(key: string): void {
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new InvalidArgumentError(
      'idempotency_key',
      `must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, got ${key.length}`,
    );
  }
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) {
      const codePoint = key.codePointAt(i)!;
      throw new InvalidArgumentError(
        'idempotency_key',
        `must contain only printable ASCII characters (U+0020 to U+007E); found ` +
          `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')} at position ${i}`,
      );
    }
  }
}

/** What every store throws when a key comes back with another request (rule 2 of applyIdempotent). */
export function idempotencyKeyConflict(
  scope: IdempotencyScope,
  firstFingerprint: string,
  fingerprint: string,
): AlreadyExistsError {
  return new AlreadyExistsError(
    `idempotency_key ${JSON.stringify(scope.idempotencyKey)} was already used for a different ` +
      `${scope.operation} request on account "${scope.accountId}" (${describe(firstFingerprint)}, ` +
      `now ${describe(fingerprint)}); use a new key for a new request`,
  );
}

function describe(fingerprint: string): string {
  return fingerprint === '' ? 'no fields' : fingerprint;
}
