import type { ServiceDefinitions } from '@streamplane/contracts';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Logger, SERVICE_CONFIG, ServiceClients, UnavailableError } from '@streamplane/platform';
import type { Title } from '@streamplane/contracts/catalog/v1';
import type { RecommendationsConfig } from './config';
import { CatalogSnapshot } from './domain';
import { RefreshLoop } from './refresh-loop';

/** ListTitles' largest page: 2,000 titles are four calls. */
const LIST_PAGE_SIZE = 500;

/**
 * The catalog snapshot recommendations ranks from: every title, as catalog's ListTitles returns them with
 * no filter (an empty country means all countries). Loaded in the background from start, retried with
 * backoff until catalog answers, then reloaded every RECOMMENDATIONS_SNAPSHOT_REFRESH_MS. Titles never
 * change, so once loaded the snapshot keeps trending and demand answering while catalog is down; a failed
 * reload keeps the previous snapshot.
 */
@Injectable()
export class CatalogSnapshotSource implements OnApplicationBootstrap, OnModuleDestroy {
  private snapshot?: CatalogSnapshot<Title>;
  private readonly loop: RefreshLoop;
  private readonly logger: Logger;

  constructor(
    private readonly clients: ServiceClients<ServiceDefinitions>,
    logger: Logger,
    @Inject(SERVICE_CONFIG) config: RecommendationsConfig,
  ) {
    this.logger = logger.child({ component: 'catalog-snapshot' });
    this.loop = new RefreshLoop(() => this.load(), {
      intervalMs: config.RECOMMENDATIONS_SNAPSHOT_REFRESH_MS,
      retry: {
        baseMs: config.RECOMMENDATIONS_SNAPSHOT_RETRY_BASE_MS,
        capMs: config.RECOMMENDATIONS_SNAPSHOT_RETRY_CAP_MS,
      },
      onFailure: (error, failuresInARow, retryInMs) =>
        this.logger.warn('catalog snapshot load failed; retrying', {
          error: (error as Error).message,
          failures_in_a_row: failuresInARow,
          retry_in_ms: retryInMs,
          serving_previous_snapshot: this.snapshot !== undefined,
        }),
    });
  }

  onApplicationBootstrap(): void {
    void this.loop.start();
  }

  /** Ends the background loop so that shutdown is not held up by a pending reload. */
  onModuleDestroy(): void {
    this.loop.stop();
  }

  /** The latest snapshot; UNAVAILABLE until the first one has loaded. */
  current(): CatalogSnapshot<Title> {
    if (!this.snapshot) {
      throw new UnavailableError(
        'catalog snapshot not loaded yet: recommendations is still loading titles from catalog',
      );
    }
    return this.snapshot;
  }

  private async load(): Promise<void> {
    const catalog = this.clients.get('catalog');
    const startedAt = performance.now();
    const titles: Title[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const page = await catalog.call('ListTitles', { page_size: LIST_PAGE_SIZE, page_token: pageToken });
      titles.push(...page.titles);
      pageToken = page.next_page_token;
      pages += 1;
    } while (pageToken !== '');
    if (titles.length === 0) throw new Error('catalog listed no titles');
    this.snapshot = new CatalogSnapshot(titles);
    this.logger.info('catalog snapshot loaded', {
      titles: this.snapshot.size,
      pages,
      duration_ms: Math.round(performance.now() - startedAt),
    });
  }
}
