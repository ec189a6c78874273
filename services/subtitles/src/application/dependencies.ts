import { dependsOn } from '@streamplane/contracts';
import { failClosed } from '@streamplane/platform';

/** Whom subtitles calls, each method's deadline budget, and what happens when the dependency cannot answer. */
export const DEPENDENCIES = [
  dependsOn('catalog', {
    // A track of a title nobody can confirm exists is not served.
    whenUnavailable: failClosed(),
    budgetsMs: { GetTitle: 800 },
  }),
];
