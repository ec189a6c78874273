import { Module } from '@nestjs/common';
import { CatalogSnapshotSource } from './catalog-snapshot.source';
import { HomeRowsService } from './home-rows.service';
import { RecommendationsController } from './recommendations.controller';

@Module({
  controllers: [RecommendationsController],
  providers: [CatalogSnapshotSource, HomeRowsService],
})
export class RecommendationsModule {}
