import type { ServiceDescriptor } from '../server/service-descriptor';

/**
 * What a service does when one of its dependencies cannot answer (down, too slow, overloaded, breaker
 * open): declared once, beside the dependency, and applied by its resilient client to every call.
 * - `failClosed`: the caller's call fails with UNAVAILABLE naming the dependency (the play path without
 *   billing: never hand out a stream nobody is entitled to).
 * - `degrade`: the call answers `undefined` through `optional()`, and the caller names the feature it
 *   went without (`degraded_features`, `degraded: true`); a caller that has a fallback value uses it there.
 */
export type WhenUnavailable =
  { readonly kind: 'fail-closed'; readonly reason: string } | { readonly kind: 'degrade'; readonly feature: string };

export function failClosed(reason = 'is unavailable'): WhenUnavailable {
  return { kind: 'fail-closed', reason };
}

export function degrade(feature: string): WhenUnavailable {
  return { kind: 'degrade', feature };
}

export interface DependencyPolicy<Method extends string = string> {
  readonly whenUnavailable: WhenUnavailable;
  /**
   * Deadline of each call, per method, in milliseconds (still capped by the caller's own remaining
   * deadline); methods not named get the resilience default (DEFAULT_RESILIENCE.defaultBudgetMs, 1 s).
   * A budget is what a caller waits for a dependency that hangs.
   */
  readonly budgetsMs?: Readonly<Partial<Record<Method, number>>>;
}

/** One declared dependency of a service: whom it calls, and the policy of those calls. */
export interface Dependency<Name extends string = string> {
  readonly service: ServiceDescriptor<Name>;
  readonly policy: DependencyPolicy;
}

/** The one-line account of a policy, for logs. */
export function describePolicy(policy: WhenUnavailable): string {
  return policy.kind === 'degrade' ? `degrading ${policy.feature}` : 'failing closed';
}
