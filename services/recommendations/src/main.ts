import { SERVICES } from '@streamplane/contracts';
import { runService } from '@streamplane/platform';
import { DEPENDENCIES } from './application/dependencies';
import { recommendationsConfigSchema } from './config';
import { RecommendationsModule } from './recommendations.module';

runService({
  service: SERVICES.recommendations,
  module: RecommendationsModule,
  configSchema: recommendationsConfigSchema,
  dependencies: DEPENDENCIES,
  // Asked by steering's fill planning, a batch job: refused before the home screen when overloaded.
  sheddableMethods: ['PredictDemand'],
});
