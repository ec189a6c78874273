import { Module } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { Logger, SERVICE_CONFIG } from '@streamplane/platform';
import type { SteeringConfig } from './config';
import { DemandForecast } from './demand-forecast';
import { Fleet, generateFleet, InMemoryRegionRotationStore, Steering, TitleCatalog } from './domain';
import { SteeringController } from './steering.controller';

@Module({
  controllers: [SteeringController],
  providers: [
    DemandForecast,
    {
      provide: Steering,
      useFactory: (config: SteeringConfig, logger: Logger) => {
        const started = performance.now();
        const titles = new TitleCatalog(config.STEERING_TITLE_COUNT);
        const fleet = new Fleet(generateFleet(config.STEERING_FLEET_SIZE, titles), titles);
        logger.info('fleet seeded', {
          appliances: fleet.appliances.length,
          titles: titles.count,
          cache_bitset_bytes: fleet.cacheBytes,
          seed_ms: Math.round(performance.now() - started),
        });
        return new Steering(fleet, new InMemoryRegionRotationStore(), { cdnSecret: config.STREAMPLANE_CDN_SECRET });
      },
      inject: [SERVICE_CONFIG, Logger],
    },
  ],
})
export class SteeringModule {}
