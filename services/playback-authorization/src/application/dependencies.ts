import { dependsOn } from '@streamplane/contracts';
import { degrade, failClosed } from '@streamplane/platform';

/** Whom playback-authorization calls, each method's deadline budget, and what happens when the dependency cannot answer. */
export const DEPENDENCIES = [
  // Fail closed: never hand out a stream for an unknown profile, an unpaid account or an unknown title.
  dependsOn('profiles', { whenUnavailable: failClosed(), budgetsMs: { GetProfile: 500 } }),
  dependsOn('billing', { whenUnavailable: failClosed(), budgetsMs: { GetEntitlement: 500 } }),
  dependsOn('catalog', { whenUnavailable: failClosed(), budgetsMs: { GetTitle: 500, GetEncodingLadder: 500 } }),
  // Degrade: the origin serves every title, and a title plays without subtitles.
  dependsOn('steering', { whenUnavailable: degrade('steering'), budgetsMs: { SteerPlayback: 500 } }),
  dependsOn('subtitles', { whenUnavailable: degrade('subtitles'), budgetsMs: { ListTracks: 500 } }),
];
