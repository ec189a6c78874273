import { SERVICES } from '@streamplane/contracts';
import { runService } from '@streamplane/platform';
import { DEPENDENCIES } from './application/dependencies';
import { profilesConfigSchema } from './config';
import { ProfilesModule } from './profiles.module';

runService({
  service: SERVICES.profiles,
  module: ProfilesModule,
  configSchema: profilesConfigSchema,
  dependencies: DEPENDENCIES,
});
