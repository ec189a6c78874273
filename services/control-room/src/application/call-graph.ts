import { DEPENDENCIES as billing } from '@streamplane/billing/dependencies';
import { DEPENDENCIES as catalog } from '@streamplane/catalog/dependencies';
import { DEPENDENCIES as edge } from '@streamplane/edge/dependencies';
import { DEPENDENCIES as playbackAuthorization } from '@streamplane/playback-authorization/dependencies';
import { DEPENDENCIES as profiles } from '@streamplane/profiles/dependencies';
import { DEPENDENCIES as recommendations } from '@streamplane/recommendations/dependencies';
import { DEPENDENCIES as steering } from '@streamplane/steering/dependencies';
import { DEPENDENCIES as subtitles } from '@streamplane/subtitles/dependencies';
import type { Dependency } from '@streamplane/platform';
import type { ComponentName } from '../config';
import type { CallEdge } from '../domain';

/**
 * Who calls whom, as each package declares it (the dependencies its resilient clients are built from),
 * so the page's graph is the one the code runs, never a drawing kept beside it.
 */
const DECLARED: Record<ComponentName, readonly Dependency[]> = {
  catalog,
  profiles,
  recommendations,
  'playback-authorization': playbackAuthorization,
  subtitles,
  billing,
  steering,
  edge,
};

export const CALL_GRAPH: readonly CallEdge[] = Object.entries(DECLARED).flatMap(([from, dependencies]) =>
  dependencies.map(({ service }) => ({ from, to: service.name })),
);
