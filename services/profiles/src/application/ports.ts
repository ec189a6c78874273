/**
 * What profiles asks of other services, as the application sees it. The store, the other port, is the
 * domain's (ProfileStore in domain/store.ts): the domain and the seed write through it.
 */

/** Runtimes of titles, in seconds: viewing progress is checked against them. Catalog owns titles. */
export interface TitleRuntimes {
  /**
   * The title's runtime in seconds. NotFoundError or NOT_FOUND when the title does not exist;
   * UnavailableError when its source cannot answer (the dependency fails closed).
   */
  secondsOf(titleId: string): Promise<number>;
}
