import { dependsOn } from '@streamplane/contracts';
import { failClosed } from '@streamplane/platform';

/** Whom the appliance calls, each method's deadline budget, and what happens when the dependency cannot answer. */
export const DEPENDENCIES = [
  // Without the ladder there is no manifest and no segment to check: requests fail closed (503).
  dependsOn('catalog', { whenUnavailable: failClosed(), budgetsMs: { GetTitle: 800, GetEncodingLadder: 800 } }),
  // Proactive fill is batch work: a plan may take steering a while, and without one nothing is filled.
  dependsOn('steering', { whenUnavailable: failClosed('cannot plan a fill'), budgetsMs: { PlanFill: 10_000 } }),
];
