import type { ServiceDefinitions } from '@streamplane/contracts';
import type { Title } from '@streamplane/contracts/catalog/v1';
import { Injectable } from '@nestjs/common';
import { ServiceClients } from '@streamplane/platform';
import type { HistoryTitles } from '../application/ports';

/** ListTitles' largest page: 2,000 titles are four calls. */
const LIST_PAGE_SIZE = 500;

/** Catalog's gRPC API, as recommendations uses it; catalog is declared degrade(PERSONALISATION). */
@Injectable()
export class CatalogClient implements HistoryTitles {
  constructor(private readonly clients: ServiceClients<ServiceDefinitions>) {}

  /** All countries: what was watched abroad still tells tastes. */
  async titles(titleIds: readonly string[]): Promise<Title[] | undefined> {
    const answer = await this.clients.get('catalog').optional('BatchGetTitles', { title_ids: [...titleIds] });
    return answer?.titles;
  }

  /**
   * Every title, page by page, as ListTitles returns them with no filter (an empty country means all
   * countries), and how many pages that took. Fails when catalog cannot answer: the caller retries.
   */
  async listAll(): Promise<{ titles: Title[]; pages: number }> {
    const catalog = this.clients.get('catalog');
    const titles: Title[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      // A snapshot load is batch work: under load, catalog refuses it before anyone's play or browse.
      const page = await catalog.call(
        'ListTitles',
        { page_size: LIST_PAGE_SIZE, page_token: pageToken },
        { priority: 'sheddable' },
      );
      titles.push(...page.titles);
      pageToken = page.next_page_token;
      pages += 1;
    } while (pageToken !== '');
    return { titles, pages };
  }
}
