import { runService, SERVICES } from '../../../libs/platform/src';
import { CatalogModule } from './catalog.module';
import { catalogConfigSchema } from './config';

runService({ service: SERVICES.catalog, module: CatalogModule, configSchema: catalogConfigSchema });
