import { runService, SERVICES } from '../../../libs/platform/src';
import { profilesConfigSchema } from './config';
import { ProfilesModule } from './profiles.module';

runService({
  service: SERVICES.profiles,
  module: ProfilesModule,
  configSchema: profilesConfigSchema,
  dependencies: ['catalog'],
});
