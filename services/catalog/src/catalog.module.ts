import { Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '@streamplane/platform';
import { SeededTitleSource } from './adapters/seeded-title-source';
import { CatalogController } from './api/catalog.controller';
import { CatalogQueries } from './application/catalog-queries';
import type { CatalogConfig } from './config';

@Module({
  controllers: [CatalogController],
  providers: [
    {
      provide: CatalogQueries,
      useFactory: (config: CatalogConfig) => new CatalogQueries(new SeededTitleSource(config.CATALOG_TITLE_COUNT)),
      inject: [SERVICE_CONFIG],
    },
  ],
})
export class CatalogModule {}
