import { SERVICES } from '@streamplane/contracts';
import { runService } from '@streamplane/platform';
import { DEPENDENCIES } from './application/dependencies';
import { subtitlesConfigSchema } from './config';
import { SubtitlesModule } from './subtitles.module';

runService({
  service: SERVICES.subtitles,
  module: SubtitlesModule,
  configSchema: subtitlesConfigSchema,
  dependencies: DEPENDENCIES,
});
