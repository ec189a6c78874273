import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Title } from '@streamplane/contracts/catalog/v1';
import { Logger, SERVICE_CONFIG, UnavailableError } from '@streamplane/platform';
import type { CatalogSnapshots } from '../application/ports';
import type { RecommendationsConfig } from '../config';
import { CatalogSnapshot } from '../domain';
import { CatalogClient } from './catalog.client';
import { RefreshLoop } from './refresh-loop';

/**
 * The catalog snapshot recommendations ranks from: every title catalog lists. Loaded in the background
 * from start, retried with backoff until catalog answers, then reloaded every
 * RECOMMENDATIONS_SNAPSHOT_REFRESH_MS. Titles never change, so once loaded the snapshot keeps trending and
 * demand answering while catalog is down; a failed reload keeps the previous snapshot.
 */
@Injectable()
export class CatalogSnapshotSource implements CatalogSnapshots, OnApplicationBootstrap, OnModuleDestroy {
  private snapshot?: CatalogSnapshot<Title>;
  private readonly loop: RefreshLoop;
  private readonly logger: Logger;

  constructor(
    private readonly catalog: CatalogClient,
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

  current(): CatalogSnapshot<Title> {
    if (!this.snapshot) {
      throw new UnavailableError(
        'catalog snapshot not loaded yet: recommendations is still loading titles from catalog',
      );
    }
    return this.snapshot;
  }

  private async load(): Promise<void> {
    const startedAt = performance.now();
    const { titles, pages } = await this.catalog.listAll();
    if (titles.length === 0) throw new Error('catalog listed no titles');
    this.snapshot = new CatalogSnapshot(titles);
    this.logger.info('catalog snapshot loaded', {
      titles: this.snapshot.size,
      pages,
      duration_ms: Math.round(performance.now() - startedAt),
    });
  }
}
