import { Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '@streamplane/platform';
import { CatalogController } from './catalog.controller';
import type { CatalogConfig } from './config';
import { Catalog } from './domain';

@Module({
  controllers: [CatalogController],
  providers: [
    {
      provide: Catalog,
      useFactory: (config: CatalogConfig) => Catalog.fromSeed(config.CATALOG_TITLE_COUNT),
      inject: [SERVICE_CONFIG],
    },
  ],
})
export class CatalogModule {}
