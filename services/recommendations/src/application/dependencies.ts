import { dependsOn } from '@streamplane/contracts';
import { degrade } from '@streamplane/platform';

/** The feature recommendations goes without when profiles or catalog cannot answer. */
export const PERSONALISATION = 'personalisation';

/** Whom recommendations calls, each method's deadline budget, and what happens when the dependency cannot answer. */
export const DEPENDENCIES = [
  dependsOn('profiles', {
    // Without the profile or its history the home screen is the trending rows, flagged degraded.
    whenUnavailable: degrade(PERSONALISATION),
    budgetsMs: { GetProfile: 800, GetViewingHistory: 800 },
  }),
  dependsOn('catalog', {
    // The snapshot loads in the background and retries; the history's titles degrade to trending.
    whenUnavailable: degrade(PERSONALISATION),
    budgetsMs: { BatchGetTitles: 800, ListTitles: 2_000 },
  }),
];
