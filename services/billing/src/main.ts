import { SERVICES } from '@streamplane/contracts';
import { runService } from '@streamplane/platform';
import { DEPENDENCIES } from './application/dependencies';
import { BillingModule } from './billing.module';
import { billingConfigSchema } from './config';

runService({
  service: SERVICES.billing,
  module: BillingModule,
  configSchema: billingConfigSchema,
  dependencies: DEPENDENCIES,
});
