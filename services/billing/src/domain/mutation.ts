import { cloneSubscription } from './plan';
import type { Subscription } from './plan';
import type { IdempotencyScope } from './idempotency';

/**
 * The domain rule a mutation applies (withPlanChanged, withCanceled, bound to their arguments). Receives
 * a private copy; returns the subscription to store. Pure and synchronous, so a store can run it inside
 * its critical section or transaction without holding that across foreign I/O; it may throw a domain
 * error to refuse the change.
 */
export type SubscriptionMutation = (current: Subscription) => Subscription;

/**
 * Runs `mutate` the way every store must (rule 4 of applyIdempotent): on a private copy of `current`,
 * synchronously, for the scope's account. Returns a copy the store may keep.
 */
export function runMutation(
  scope: IdempotencyScope,
  mutate: SubscriptionMutation,
  current: Subscription,
): Subscription {
  const next = mutate(cloneSubscription(current));
  if ((next as unknown) instanceof Promise) {
    throw new TypeError('applyIdempotent: mutate must be synchronous (it runs inside the critical section)');
  }
  if (next.accountId !== scope.accountId) {
    throw new Error(`applyIdempotent: mutate returned account "${next.accountId}" for "${scope.accountId}"`);
  }
  return cloneSubscription(next);
}
