import { Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import { CLOCK, Logger, Readiness, SERVICE_CONFIG, type Clock } from '@streamplane/platform';
import type { OpenStore } from '@streamplane/platform/postgres';
import { CatalogTitleRuntimes } from './adapters/catalog-title-runtimes';
import { openProfileStore } from './adapters/open-profile-store';
import { ProfilesController } from './api/profiles.controller';
import type { TitleRuntimes } from './application/ports';
import { ViewingProgress } from './application/viewing-progress';
import { ProfilesDomain, type ProfileStore } from './domain';

const PROFILE_STORE = Symbol('PROFILE_STORE');

/** Wiring only: the store and catalog adapters behind the domain and the application. */
@Module({
  controllers: [ProfilesController],
  providers: [
    CatalogTitleRuntimes,
    { provide: PROFILE_STORE, useFactory: openProfileStore, inject: [SERVICE_CONFIG, Readiness, Logger] },
    {
      provide: ProfilesDomain,
      useFactory: (opened: OpenStore<ProfileStore>, clock: Clock) => new ProfilesDomain(opened.store, { clock }),
      inject: [PROFILE_STORE, CLOCK],
    },
    {
      provide: ViewingProgress,
      useFactory: (profiles: ProfilesDomain, runtimes: TitleRuntimes) => new ViewingProgress(profiles, runtimes),
      inject: [ProfilesDomain, CatalogTitleRuntimes],
    },
  ],
})
export class ProfilesModule implements OnModuleDestroy {
  constructor(@Inject(PROFILE_STORE) private readonly opened: OpenStore<ProfileStore>) {}

  async onModuleDestroy(): Promise<void> {
    await this.opened.close();
  }
}
