import { Module } from '@nestjs/common';
import { Logger, SERVICE_PROTOS, type ServiceProtos } from '@streamplane/platform';
import { CatalogSnapshotSource } from './adapters/catalog-snapshot.source';
import { CatalogClient } from './adapters/catalog.client';
import { ProfilesClient } from './adapters/profiles.client';
import { HomeRowsEncoding } from './api/home-rows.encoding';
import { RecommendationsController } from './api/recommendations.controller';
import { DemandForecasts } from './application/demand';
import { HomeRows } from './application/home-rows';
import { Trending } from './application/trending';

@Module({
  controllers: [RecommendationsController],
  providers: [
    ProfilesClient,
    CatalogClient,
    CatalogSnapshotSource,
    {
      provide: HomeRows,
      useFactory: (
        profiles: ProfilesClient,
        catalog: CatalogClient,
        snapshots: CatalogSnapshotSource,
        logger: Logger,
      ) => new HomeRows({ profiles, historyTitles: catalog, snapshots, logger }),
      inject: [ProfilesClient, CatalogClient, CatalogSnapshotSource, Logger],
    },
    {
      provide: Trending,
      useFactory: (snapshots: CatalogSnapshotSource) => new Trending(snapshots),
      inject: [CatalogSnapshotSource],
    },
    {
      provide: HomeRowsEncoding,
      useFactory: (protos: ServiceProtos) => new HomeRowsEncoding(protos),
      inject: [SERVICE_PROTOS],
    },
    {
      provide: DemandForecasts,
      useFactory: (snapshots: CatalogSnapshotSource) => new DemandForecasts(snapshots),
      inject: [CatalogSnapshotSource],
    },
  ],
})
export class RecommendationsModule {}
