import type { Title } from '@streamplane/contracts/catalog/v1';
import { trendingTitles } from '../domain';
import type { CatalogSnapshots } from './ports';

/** GetTrending: answered from the catalog snapshot alone, so it keeps answering while catalog is down. */
export class Trending {
  constructor(private readonly snapshots: CatalogSnapshots) {}

  /** The `limit` titles most trending in `country`, most trending first. */
  titlesIn(country: string, limit: number): Title[] {
    return trendingTitles(this.snapshots.current(), country, limit);
  }
}
