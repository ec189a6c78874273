import { SERVICES } from '@streamplane/contracts';
import { runService } from '@streamplane/platform';
import { DEPENDENCIES } from './application/dependencies';
import { steeringConfigSchema } from './config';
import { SteeringModule } from './steering.module';

runService({
  service: SERVICES.steering,
  module: SteeringModule,
  configSchema: steeringConfigSchema,
  dependencies: DEPENDENCIES,
  // Batch work for operators and fill jobs: refused before SteerPlayback when steering is overloaded.
  sheddableMethods: ['PlanFill', 'ListAppliances'],
});
