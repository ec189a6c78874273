import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { DomainError, ResourceExhaustedError, type DomainErrorKind } from './domain-errors';

/** Trailing metadata of an overloaded server's refusal: when to retry, in ms (gRFC A6). */
export const RETRY_PUSHBACK_KEY = 'grpc-retry-pushback-ms';

/** The one place where the platform decides which gRPC status an error becomes. */
const STATUS_OF_KIND: Record<DomainErrorKind, GrpcStatus> = {
  'invalid-argument': GrpcStatus.INVALID_ARGUMENT,
  'not-found': GrpcStatus.NOT_FOUND,
  'already-exists': GrpcStatus.ALREADY_EXISTS,
  'failed-precondition': GrpcStatus.FAILED_PRECONDITION,
  'permission-denied': GrpcStatus.PERMISSION_DENIED,
  unauthenticated: GrpcStatus.UNAUTHENTICATED,
  'resource-exhausted': GrpcStatus.RESOURCE_EXHAUSTED,
  unavailable: GrpcStatus.UNAVAILABLE,
  'deadline-exceeded': GrpcStatus.DEADLINE_EXCEEDED,
};

/** What a server sends back: a status code, a message safe to show the caller, trailing metadata. */
export interface StatusError extends Error {
  code: GrpcStatus;
  details: string;
  metadata: Metadata;
}

export interface MappedError {
  error: StatusError;
  /** Set when the error was unexpected: the id under which its internals were logged. */
  incidentId?: string;
}

export function statusError(code: GrpcStatus, details: string, metadata = new Metadata()): StatusError {
  return Object.assign(new Error(details), { code, details, metadata });
}

/**
 * True for errors that already carry a meaningful gRPC status (for example one a downstream service
 * returned, or CANCELLED when the caller went away). UNKNOWN is not meaningful: it is treated as an
 * unexpected error.
 */
export function isStatusError(error: unknown): error is ServiceError {
  if (typeof error !== 'object' || error === null) return false;
  const { code } = error as { code?: unknown };
  return (
    typeof code === 'number' &&
    Number.isInteger(code) &&
    (code === GrpcStatus.CANCELLED || (code > GrpcStatus.UNKNOWN && code <= GrpcStatus.UNAUTHENTICATED))
  );
}

export function toStatusError(error: unknown): MappedError {
  if (error instanceof ResourceExhaustedError && error.retryAfterMs !== undefined) {
    return { error: statusError(GrpcStatus.RESOURCE_EXHAUSTED, error.message, pushbackMetadata(error.retryAfterMs)) };
  }
  if (error instanceof DomainError) {
    return { error: statusError(STATUS_OF_KIND[error.kind], error.message) };
  }
  if (isStatusError(error)) {
    const details = error.details ?? error.message;
    return { error: statusError(error.code, details, error.metadata ?? new Metadata()) };
  }
  // Anything else is a bug or an unforeseen failure: never leak its message or stack to the caller, but give
  // them an id that finds the full error in the logs.
  const incidentId = randomUUID();
  return { error: statusError(GrpcStatus.INTERNAL, `internal error (incident ${incidentId})`), incidentId };
}

/** gRPC's retry pushback (gRFC A6): a client that retries waits this long, one that does not is told. */
export function pushbackMetadata(retryAfterMs: number): Metadata {
  const metadata = new Metadata();
  metadata.set(RETRY_PUSHBACK_KEY, String(Math.max(0, Math.round(retryAfterMs))));
  return metadata;
}

/** The pushback a server sent (a non-negative whole number of ms), or undefined when it sent none valid. */
export function pushbackMsOf(metadata: Metadata | undefined): number | undefined {
  const pushback = Number(metadata?.get(RETRY_PUSHBACK_KEY)[0]);
  return Number.isInteger(pushback) && pushback >= 0 ? pushback : undefined;
}

export function statusName(code: number): string {
  return GrpcStatus[code] ?? `CODE_${code}`;
}
