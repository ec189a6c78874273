import { Module } from '@nestjs/common';
import { CatalogTitlesClient } from './adapters/catalog-titles.client';
import { SubtitlesController } from './api/subtitles.controller';
import type { CatalogTitles } from './application/ports';
import { SubtitleTracks } from './application/subtitle-tracks';

/** Wiring only: the catalog adapter behind the application. */
@Module({
  controllers: [SubtitlesController],
  providers: [
    CatalogTitlesClient,
    {
      provide: SubtitleTracks,
      useFactory: (titles: CatalogTitles) => new SubtitleTracks(titles),
      inject: [CatalogTitlesClient],
    },
  ],
})
export class SubtitlesModule {}
