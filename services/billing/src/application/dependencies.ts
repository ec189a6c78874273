import type { Dependency } from '@streamplane/platform';

/** billing calls no other service: it answers from its own data. */
export const DEPENDENCIES: readonly Dependency[] = [];
