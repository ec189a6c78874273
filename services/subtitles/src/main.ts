import { runService, SERVICES } from '../../../libs/platform/src';
import { subtitlesConfigSchema } from './config';
import { SubtitlesModule } from './subtitles.module';

runService({
  service: SERVICES.subtitles,
  module: SubtitlesModule,
  configSchema: subtitlesConfigSchema,
  dependencies: ['catalog'],
});
