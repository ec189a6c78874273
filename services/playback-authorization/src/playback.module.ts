import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { ServiceDefinitions } from '@streamplane/contracts';
import { CLOCK, Logger, Readiness, SERVICE_CONFIG, ServiceClients, type Clock } from '@streamplane/platform';
import { connectGuardedRedis, type GuardedRedis } from '@streamplane/platform/redis';
import { InMemorySessionStore } from './adapters/in-memory-session-store';
import { playPathPorts } from './adapters/play-path-ports';
import { RedisSessionStore } from './adapters/redis-session-store';
import { PlaybackController } from './api/playback.controller';
import { PlayPath } from './application/play-path';
import type { SessionStore } from './application/ports';
import type { PlaybackConfig } from './config';

/** The Redis connection of the session store; null when sessions are kept in memory. */
const SESSIONS_REDIS = Symbol('SessionsRedis');
const SESSION_STORE = Symbol('SessionStore');

@Module({
  controllers: [PlaybackController],
  providers: [
    {
      provide: SESSIONS_REDIS,
      inject: [SERVICE_CONFIG, Readiness, Logger],
      useFactory: async (config: PlaybackConfig, readiness: Readiness, logger: Logger) => {
        if (!config.REDIS_URL) {
          logger.info('playback sessions in memory: set REDIS_URL to share them between replicas');
          return null;
        }
        logger.info('playback sessions in redis', { redis: new URL(config.REDIS_URL).host });
        return connectGuardedRedis(config.REDIS_URL, { readiness, logger, name: 'session store' });
      },
    },
    {
      provide: SESSION_STORE,
      inject: [SESSIONS_REDIS],
      useFactory: (redis: GuardedRedis | null): SessionStore =>
        redis ? new RedisSessionStore(redis.client, { guard: redis.guard }) : new InMemorySessionStore(),
    },
    {
      provide: PlayPath,
      inject: [ServiceClients, SESSION_STORE, SERVICE_CONFIG, CLOCK],
      useFactory: (
        clients: ServiceClients<ServiceDefinitions>,
        sessions: SessionStore,
        config: PlaybackConfig,
        clock: Clock,
      ): PlayPath => {
        return new PlayPath(playPathPorts(clients, sessions), {
          clock,
          sessionTtlMs: config.PLAYBACK_SESSION_TTL_SECONDS * 1000,
          cdnSecret: config.STREAMPLANE_CDN_SECRET,
        });
      },
    },
  ],
})
export class PlaybackModule implements OnApplicationShutdown {
  constructor(@Inject(SESSIONS_REDIS) private readonly redis: GuardedRedis | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.close();
  }
}
