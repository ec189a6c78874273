import { dependsOn } from '@streamplane/contracts';
import { degrade, failClosed } from '@streamplane/platform';

/**
 * The optional parts of a grant, by the names a play reports in degraded_features when it went without
 * them: declared here with their dependencies, and read by the play path, so the two never disagree.
 */
export const OPTIONAL_FEATURES = { steering: 'steering', subtitles: 'subtitles' } as const;

/** Whom playback-authorization calls, each method's deadline budget, and what happens when the dependency cannot answer. */
export const DEPENDENCIES = [
  // Fail closed: never hand out a stream for an unknown profile, an unpaid account or an unknown title.
  dependsOn('profiles', { whenUnavailable: failClosed(), budgetsMs: { GetProfile: 800 } }),
  dependsOn('billing', { whenUnavailable: failClosed(), budgetsMs: { GetEntitlement: 800 } }),
  dependsOn('catalog', { whenUnavailable: failClosed(), budgetsMs: { GetTitle: 800, GetEncodingLadder: 800 } }),
  // Degrade: the origin serves every title, and a title plays without subtitles.
  dependsOn('steering', {
    whenUnavailable: degrade(OPTIONAL_FEATURES.steering),
    budgetsMs: { SteerPlayback: 800 },
  }),
  dependsOn('subtitles', {
    whenUnavailable: degrade(OPTIONAL_FEATURES.subtitles),
    budgetsMs: { ListTracks: 800 },
  }),
];
