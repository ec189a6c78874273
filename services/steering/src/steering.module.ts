import { Module } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { CLOCK, Logger, SERVICE_CONFIG, type Clock } from '@streamplane/platform';
import { InMemoryRegionRotationStore } from './adapters/in-memory-region-rotation.store';
import { RecommendationsDemandClient } from './adapters/recommendations-demand.client';
import { SteeringController } from './api/steering.controller';
import { FillPlanner } from './application/plan-fill';
import type { SteeringConfig } from './config';
import { Fleet, generateFleet, Steering, TitleCatalog } from './domain';

@Module({
  controllers: [SteeringController],
  providers: [
    RecommendationsDemandClient,
    {
      provide: Steering,
      useFactory: (config: SteeringConfig, logger: Logger, clock: Clock) => {
        const started = performance.now();
        const titles = new TitleCatalog(config.STEERING_TITLE_COUNT);
        const fleet = new Fleet(generateFleet(config.STEERING_FLEET_SIZE, titles), titles);
        logger.info('fleet seeded', {
          appliances: fleet.appliances.length,
          titles: titles.count,
          cache_bitset_bytes: fleet.cacheBytes,
          seed_ms: Math.round(performance.now() - started),
        });
        return new Steering(fleet, new InMemoryRegionRotationStore(), {
          cdnSecret: config.STREAMPLANE_CDN_SECRET,
          clock,
        });
      },
      inject: [SERVICE_CONFIG, Logger, CLOCK],
    },
    {
      provide: FillPlanner,
      useFactory: (steering: Steering, demand: RecommendationsDemandClient) => new FillPlanner(steering, demand),
      inject: [Steering, RecommendationsDemandClient],
    },
  ],
})
export class SteeringModule {}
