import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG, ServiceClients, type ResilientClient } from '../../../libs/platform/src';
import type { SubtitlesConfig } from './config';
import type { TitleFacts } from './domain';

/**
 * What subtitles needs to know about a title (it exists, its name and runtime), asked of catalog through
 * the resilient client. Facts of titles never change, so answers are kept in a bounded cache: one
 * catalog call per title, not per request.
 */
@Injectable()
export class CatalogTitles {
  private readonly catalog: ResilientClient<'catalog'>;
  private readonly cache = new Map<string, TitleFacts>();
  private readonly capacity: number;

  constructor(clients: ServiceClients, @Inject(SERVICE_CONFIG) config: SubtitlesConfig) {
    this.catalog = clients.get('catalog');
    this.capacity = config.SUBTITLES_TITLE_CACHE_SIZE;
  }

  /** The title's facts; NOT_FOUND (from catalog) when it does not exist. */
  async get(titleId: string): Promise<TitleFacts> {
    const cached = this.cache.get(titleId);
    if (cached) return cached;
    const title = await this.catalog.call('GetTitle', { title_id: titleId });
    const facts: TitleFacts = { titleId: title.title_id, name: title.name, runtimeMinutes: title.runtime_minutes };
    if (this.capacity > 0) {
      if (this.cache.size >= this.capacity) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(titleId, facts);
    }
    return facts;
  }
}
