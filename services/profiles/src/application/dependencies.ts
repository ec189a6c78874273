import { dependsOn } from '@streamplane/contracts';
import { failClosed } from '@streamplane/platform';

/** Whom profiles calls, each method's deadline budget, and what happens when the dependency cannot answer. */
export const DEPENDENCIES = [
  dependsOn('catalog', {
    // Viewing progress is checked against the title's runtime: without catalog it cannot be recorded.
    whenUnavailable: failClosed(),
    budgetsMs: { GetTitle: 800 },
  }),
];
