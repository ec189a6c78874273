import type { Dependency } from '@streamplane/platform';

/** catalog calls no other service: it answers from its own data. */
export const DEPENDENCIES: readonly Dependency[] = [];
