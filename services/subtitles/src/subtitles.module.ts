import { Module } from '@nestjs/common';
import { CatalogTitles } from './catalog-titles';
import { SubtitlesController } from './subtitles.controller';

@Module({
  controllers: [SubtitlesController],
  providers: [CatalogTitles],
})
export class SubtitlesModule {}
