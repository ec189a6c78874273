import { SERVICES } from '@streamplane/contracts';
import { runService } from '@streamplane/platform';
import { DEPENDENCIES } from './application/dependencies';
import { CatalogModule } from './catalog.module';
import { catalogConfigSchema } from './config';

runService({
  service: SERVICES.catalog,
  module: CatalogModule,
  configSchema: catalogConfigSchema,
  dependencies: DEPENDENCIES,
});
