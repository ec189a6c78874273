import { SERVICES } from '@streamplane/contracts';
import { runService } from '@streamplane/platform';
import { DEPENDENCIES } from './application/dependencies';
import { playbackConfigSchema } from './config';
import { PlaybackModule } from './playback.module';

runService({
  service: SERVICES['playback-authorization'],
  module: PlaybackModule,
  configSchema: playbackConfigSchema,
  dependencies: DEPENDENCIES,
});
