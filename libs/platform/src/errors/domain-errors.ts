/**
 * Errors that domain code throws. They carry meaning, not transport: the server bootstrap maps each kind
 * to a gRPC status in one place (see grpc-status.ts), so domain modules never import gRPC.
 */
export type DomainErrorKind =
  | 'invalid-argument'
  | 'not-found'
  | 'already-exists'
  | 'failed-precondition'
  | 'permission-denied'
  | 'unauthenticated'
  | 'resource-exhausted'
  | 'unavailable'
  | 'deadline-exceeded';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;

  protected constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A request field is missing or malformed. The message always starts with the proto field name. */
export class InvalidArgumentError extends DomainError {
  readonly kind = 'invalid-argument';

  constructor(
    readonly field: string,
    /** What is wrong with the field, without its name: for callers that name it their own way (CLI options). */
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** A resource the caller named does not exist. The message names the resource kind and its id. */
export class NotFoundError extends DomainError {
  readonly kind = 'not-found';

  constructor(
    readonly resource: string,
    readonly id: string,
  ) {
    super(`${resource} "${id}" not found`);
  }
}

export class AlreadyExistsError extends DomainError {
  readonly kind = 'already-exists';

  constructor(message: string) {
    super(message);
  }
}

/** The request is well formed but the system is not in a state that allows it (title not in country, …). */
export class FailedPreconditionError extends DomainError {
  readonly kind = 'failed-precondition';

  constructor(message: string) {
    super(message);
  }
}

export class PermissionDeniedError extends DomainError {
  readonly kind = 'permission-denied';

  constructor(message: string) {
    super(message);
  }
}

export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated';

  constructor(message: string) {
    super(message);
  }
}

/** Over a limit (a quota, or a service shedding load); `retryAfterMs` says when to come back, if known. */
export class ResourceExhaustedError extends DomainError {
  readonly kind = 'resource-exhausted';

  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** A dependency (another service, a store) cannot be reached; callers may retry. */
export class UnavailableError extends DomainError {
  readonly kind = 'unavailable';

  constructor(message: string) {
    super(message);
  }
}
