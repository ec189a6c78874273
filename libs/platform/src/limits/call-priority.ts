import type { Metadata } from '@grpc/grpc-js';
import { InvalidArgumentError } from '../errors/domain-errors';
import { CALL_PRIORITIES, type CallPriority } from './concurrency-limiter';

/**
 * The priority a call travels with, as request metadata: set where work enters the platform (a sheddable
 * method, a batch job's own calls) and copied onto every call made while serving it, as the fault header
 * is, so a snapshot load is sheddable in every service it touches and the play path is critical in all of
 * them. A call without it is critical.
 */
export const PRIORITY_METADATA_KEY = 'x-streamplane-priority';

/** The priority `metadata` asks for; `declared` (the method's own) when it asks for none. */
export function priorityOf(metadata: Metadata, declared: CallPriority = 'critical'): CallPriority {
  const [value] = metadata.get(PRIORITY_METADATA_KEY);
  if (value === undefined) return declared;
  const asked = String(value) as CallPriority;
  if (!CALL_PRIORITIES.includes(asked)) {
    throw new InvalidArgumentError(
      PRIORITY_METADATA_KEY,
      `expected one of ${CALL_PRIORITIES.join(', ')}, got "${String(value)}"`,
    );
  }
  // A caller may lower its call's priority, never raise it above what the method is declared at.
  return declared === 'sheddable' ? 'sheddable' : asked;
}
