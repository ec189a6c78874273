import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Logger, Readiness, SERVICE_CONFIG } from '@streamplane/platform';
import { connectGuardedRedis, type GuardedRedis } from '@streamplane/platform/redis';
import type { PlaybackConfig } from './config';
import { InMemorySessionStore, type SessionStore } from './domain';
import { PlaybackController } from './playback.controller';
import { PlayPath, SESSION_STORE } from './play-path';
import { RedisSessionStore } from './redis-session-store';

/** The Redis connection of the session store; null when sessions are kept in memory. */
const SESSIONS_REDIS = Symbol('SessionsRedis');

@Module({
  controllers: [PlaybackController],
  providers: [
    PlayPath,
    {
      provide: SESSIONS_REDIS,
      inject: [SERVICE_CONFIG, Readiness, Logger],
      useFactory: async (config: PlaybackConfig, readiness: Readiness, logger: Logger) => {
        if (!config.REDIS_URL) {
          logger.info('playback sessions in memory: set REDIS_URL to share them between replicas');
          return null;
        }
        logger.info('playback sessions in redis', { redis: new URL(config.REDIS_URL).host });
        return connectGuardedRedis(config.REDIS_URL, { readiness, logger });
      },
    },
    {
      provide: SESSION_STORE,
      inject: [SESSIONS_REDIS],
      useFactory: (redis: GuardedRedis | null): SessionStore =>
        redis ? new RedisSessionStore(redis.client, { guard: redis.guard }) : new InMemorySessionStore(),
    },
  ],
})
export class PlaybackModule implements OnApplicationShutdown {
  constructor(@Inject(SESSIONS_REDIS) private readonly redis: GuardedRedis | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.close();
  }
}
