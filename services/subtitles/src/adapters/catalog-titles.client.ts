import type { ServiceDefinitions } from '@streamplane/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { BoundedCache, SERVICE_CONFIG, ServiceClients } from '@streamplane/platform';
import type { CatalogTitles } from '../application/ports';
import type { SubtitlesConfig } from '../config';
import type { TitleFacts } from '../domain';

/**
 * CatalogTitles asked of catalog's GetTitle through the resilient client, whose declared policy for catalog
 * is to fail closed (application/dependencies.ts). Facts of titles never change, so answers are cached:
 * one catalog call per title, not per request.
 */
@Injectable()
export class CatalogTitlesClient implements CatalogTitles {
  private readonly cache: BoundedCache<string, TitleFacts>;

  constructor(clients: ServiceClients<ServiceDefinitions>, @Inject(SERVICE_CONFIG) config: SubtitlesConfig) {
    const catalog = clients.get('catalog');
    this.cache = new BoundedCache(config.SUBTITLES_TITLE_CACHE_SIZE, async (titleId) => {
      const title = await catalog.call('GetTitle', { title_id: titleId });
      return { titleId: title.title_id, name: title.name, runtimeMinutes: title.runtime_minutes };
    });
  }

  /** NOT_FOUND (from catalog) when the title does not exist; UNAVAILABLE when catalog cannot answer. */
  get(titleId: string): Promise<TitleFacts> {
    return this.cache.get(titleId);
  }
}
