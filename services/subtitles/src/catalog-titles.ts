import type { ServiceDefinitions } from '@streamplane/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { BoundedCache, SERVICE_CONFIG, ServiceClients } from '@streamplane/platform';
import type { SubtitlesConfig } from './config';
import type { TitleFacts } from './domain';

/**
 * What subtitles needs to know about a title (it exists, its name and runtime), asked of catalog through
 * the resilient client. Facts of titles never change, so answers are cached: one catalog call per title,
 * not per request.
 */
@Injectable()
export class CatalogTitles {
  private readonly cache: BoundedCache<string, TitleFacts>;

  constructor(clients: ServiceClients<ServiceDefinitions>, @Inject(SERVICE_CONFIG) config: SubtitlesConfig) {
    const catalog = clients.get('catalog');
    this.cache = new BoundedCache(config.SUBTITLES_TITLE_CACHE_SIZE, async (titleId) => {
      const title = await catalog.call('GetTitle', { title_id: titleId });
      return { titleId: title.title_id, name: title.name, runtimeMinutes: title.runtime_minutes };
    });
  }

  /** The title's facts; NOT_FOUND (from catalog) when it does not exist. */
  get(titleId: string): Promise<TitleFacts> {
    return this.cache.get(titleId);
  }
}
