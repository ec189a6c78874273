import {
  OPERATOR_IDENTITY,
  type AuthorizedCallers,
  type Dependency,
  type ServiceDescriptor,
} from '@streamplane/platform';
import type { MethodName } from './service-definitions';
import type { ServiceName } from './service-registry';

/**
 * Who may call which method, under mutual TLS: derived from the call graph the packages declare (each
 * caller's DEPENDENCIES, the same graph the chart's NetworkPolicies follow), so that a new dependency is
 * allowed where it is declared and nowhere else. A caller may call the methods it declares a budget for
 * (budgetsMs): declaring the budget of every method called is what makes the call allowed. Callers from
 * outside are identities too: `app` (the public surface below), `operator` (every method).
 */

/** The identity of a viewer's app (through whatever gateway fronts the platform). */
export const APP_IDENTITY = 'app';

/**
 * The public surface: what a viewer's app calls (browse, profiles, home rows, play, subtitles, its plan).
 * Steering's fleet operations, demand predictions and encoding ladders are the platform's own business.
 */
export const APP_SURFACE: { readonly [S in ServiceName]: readonly MethodName<S>[] } = {
  catalog: ['GetTitle', 'BatchGetTitles', 'ListTitles', 'SearchTitles'],
  profiles: [
    'GetProfile',
    'ListProfiles',
    'CreateProfile',
    'UpdateProfile',
    'DeleteProfile',
    'RecordViewingProgress',
    'GetViewingHistory',
  ],
  recommendations: ['GetHomeRows', 'GetTrending'],
  'playback-authorization': ['AuthorizePlayback', 'Heartbeat', 'StopPlayback'],
  subtitles: ['ListTracks', 'GetTrack'],
  billing: ['ListPlans', 'GetSubscription', 'GetEntitlement', 'ChangePlan', 'CancelSubscription'],
  steering: [],
};

/** `/streamplane.catalog.v1.CatalogService/GetTitle`: how a server names the method it serves. */
export function fullMethodPath(service: Pick<ServiceDescriptor, 'grpcService'>, method: string): string {
  return `/${service.grpcService}/${method}`;
}

/**
 * The callers of each service: every caller of `declared` (by identity, its declared dependencies) for the
 * methods it budgets, and `app` for the public surface. `operator` needs no entry (see CallerAuthorization).
 */
export function authorizedCallersFrom(
  services: { readonly [S in ServiceName]: ServiceDescriptor<S> },
  declared: Readonly<Record<string, readonly Dependency[]>>,
): Record<ServiceName, AuthorizedCallers> {
  const callers = Object.fromEntries(
    Object.keys(services).map((service) => [service, {} as Record<string, string[]>]),
  ) as Record<ServiceName, Record<string, string[]>>;
  const allow = (caller: string, service: ServiceDescriptor, methods: readonly string[]) => {
    const allowed = callers[service.name as ServiceName];
    if (!allowed) throw new Error(`${caller} declares a dependency on ${service.name}, which is no service`);
    allowed[caller] = [...(allowed[caller] ?? []), ...methods.map((method) => fullMethodPath(service, method))];
  };
  for (const [caller, dependencies] of Object.entries(declared)) {
    if (caller === APP_IDENTITY || caller === OPERATOR_IDENTITY) {
      throw new Error(`${caller} is an identity from outside the platform; it declares no dependencies`);
    }
    for (const { service, policy } of dependencies) allow(caller, service, Object.keys(policy.budgetsMs ?? {}));
  }
  for (const [service, methods] of Object.entries(APP_SURFACE)) {
    allow(APP_IDENTITY, services[service as ServiceName], methods);
  }
  return callers;
}

/** The dependencies `caller` declares, from its package (`@streamplane/<caller>/dependencies`). */
export function declaredDependenciesOf(caller: string): readonly Dependency[] {
  // Loaded by name, when a server first asks: the declaring packages build on this one, so it cannot
  // import them, and each of them is loaded only after this module has been.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- one package per caller, by name
  const { DEPENDENCIES } = require(`@streamplane/${caller}/dependencies`) as { DEPENDENCIES: Dependency[] };
  return DEPENDENCIES;
}
