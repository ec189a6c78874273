import { Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '../../../libs/platform/src';
import type { ProfilesConfig } from './config';
import { InMemoryProfileStore, ProfilesDomain, seedProfiles } from './domain';
import { ProfilesController } from './profiles.controller';
import { TitleRuntimes } from './title-runtimes';

@Module({
  controllers: [ProfilesController],
  providers: [
    TitleRuntimes,
    {
      provide: ProfilesDomain,
      useFactory: async (config: ProfilesConfig) => {
        const store = new InMemoryProfileStore();
        await seedProfiles(store, config.PROFILES_SEED_ACCOUNTS);
        return new ProfilesDomain(store);
      },
      inject: [SERVICE_CONFIG],
    },
  ],
})
export class ProfilesModule {}
