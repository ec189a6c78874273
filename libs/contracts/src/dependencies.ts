import type { Dependency, DependencyPolicy, ServiceDescriptor } from '@streamplane/platform';
import type { MethodName } from './service-definitions';
import { SERVICES, type ServiceName } from './service-registry';

/**
 * Declares that a service calls `name`, with the deadline budget of each method it calls and what it
 * does when `name` cannot answer: `dependsOn('billing', { whenUnavailable: failClosed(), budgetsMs:
 * { GetEntitlement: 300 } })`. The method names are checked against the target's proto.
 */
export function dependsOn<S extends ServiceName>(name: S, policy: DependencyPolicy<MethodName<S>>): Dependency<S> {
  return { service: SERVICES[name] as ServiceDescriptor<S>, policy: policy as DependencyPolicy };
}
