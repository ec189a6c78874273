import { runService, SERVICES } from '../../../libs/platform/src';
import { BillingModule } from './billing.module';
import { billingConfigSchema } from './config';

runService({ service: SERVICES.billing, module: BillingModule, configSchema: billingConfigSchema });
