import type { Title } from '@streamplane/contracts/catalog/v1';
import type { CatalogSnapshot, WatchedTitle } from '../domain';

/**
 * What recommendations asks of other services and of its own background state. Each method of a
 * personalisation port answers undefined when its service cannot answer (the dependency is declared
 * degrade(PERSONALISATION)); answers such as NOT_FOUND still throw.
 */

/** What home rows need of a profile. */
export interface ProfileFacts {
  /** The highest maturity level (an age) the profile may watch. */
  readonly maturityLevel: number;
}

/** Profiles: the profile and its viewing history. */
export interface ProfileDirectory {
  /** The profile; NOT_FOUND for an unknown one; undefined when profiles cannot answer. */
  profile(profileId: string): Promise<ProfileFacts | undefined>;
  /** The most recent `entries` of the profile's viewing history; undefined when profiles cannot answer. */
  viewingHistory(profileId: string, entries: number): Promise<WatchedTitle[] | undefined>;
}

/** Catalog, asked for the titles of a viewing history. */
export interface HistoryTitles {
  /** The titles with these ids, in every country; undefined when catalog cannot answer. */
  titles(titleIds: readonly string[]): Promise<Title[] | undefined>;
}

/** The catalog snapshot recommendations ranks from, kept loaded in the background. */
export interface CatalogSnapshots {
  /** The latest snapshot; UNAVAILABLE until the first one has loaded. */
  current(): CatalogSnapshot<Title>;
}
