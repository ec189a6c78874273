import { runService, SERVICES } from '../../../libs/platform/src';
import { playbackConfigSchema } from './config';
import { PlaybackModule } from './playback.module';

runService({
  service: SERVICES['playback-authorization'],
  module: PlaybackModule,
  configSchema: playbackConfigSchema,
  dependencies: ['profiles', 'billing', 'catalog', 'steering', 'subtitles'],
});
