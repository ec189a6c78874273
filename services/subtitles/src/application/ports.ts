import type { TitleFacts } from '../domain';

/** What subtitles asks of other services, as the application sees it. */

/** The titles subtitles makes tracks for. Catalog owns titles. */
export interface CatalogTitles {
  /**
   * The title's facts. NotFoundError or NOT_FOUND when the title does not exist; UnavailableError when
   * its source cannot answer (the dependency fails closed).
   */
  get(titleId: string): Promise<TitleFacts>;
}
