import type { ServiceDefinitions } from '@streamplane/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { BoundedCache, SERVICE_CONFIG, ServiceClients } from '@streamplane/platform';
import type { TitleRuntimes } from '../application/ports';
import type { ProfilesConfig } from '../config';

/**
 * TitleRuntimes asked of catalog's GetTitle through the resilient client, whose declared policy for catalog
 * is to fail closed (application/dependencies.ts). Runtimes never change, so each title is asked for once.
 */
@Injectable()
export class CatalogTitleRuntimes implements TitleRuntimes {
  private readonly cache: BoundedCache<string, number>;

  constructor(clients: ServiceClients<ServiceDefinitions>, @Inject(SERVICE_CONFIG) config: ProfilesConfig) {
    const catalog = clients.get('catalog');
    this.cache = new BoundedCache(config.PROFILES_TITLE_CACHE_SIZE, async (titleId) => {
      const title = await catalog.call('GetTitle', { title_id: titleId });
      return title.runtime_minutes * 60;
    });
  }

  /** NOT_FOUND (from catalog) when the title does not exist; UNAVAILABLE when catalog cannot answer. */
  secondsOf(titleId: string): Promise<number> {
    return this.cache.get(titleId);
  }
}
