import { dependsOn } from '@streamplane/contracts';
import { failClosed } from '@streamplane/platform';

/** Whom steering calls, each method's deadline budget, and what happens when the dependency cannot answer. */
export const DEPENDENCIES = [
  dependsOn('recommendations', {
    // A fill plan without demand is meaningless: PlanFill fails closed.
    whenUnavailable: failClosed('cannot predict demand'),
    budgetsMs: { PredictDemand: 1_500 },
  }),
];
