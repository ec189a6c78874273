import { runService, SERVICES } from '../../../libs/platform/src';
import { recommendationsConfigSchema } from './config';
import { RecommendationsModule } from './recommendations.module';

runService({
  service: SERVICES.recommendations,
  module: RecommendationsModule,
  configSchema: recommendationsConfigSchema,
  dependencies: ['profiles', 'catalog'],
});
