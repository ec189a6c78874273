import { runService, SERVICES } from '../../../libs/platform/src';
import { steeringConfigSchema } from './config';
import { SteeringModule } from './steering.module';

runService({
  service: SERVICES.steering,
  module: SteeringModule,
  configSchema: steeringConfigSchema,
  dependencies: ['recommendations'],
});
