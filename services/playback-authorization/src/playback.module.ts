import { Module } from '@nestjs/common';
import { InMemorySessionStore } from './domain';
import { PlaybackController } from './playback.controller';
import { PlayPath, SESSION_STORE } from './play-path';

@Module({
  controllers: [PlaybackController],
  providers: [PlayPath, { provide: SESSION_STORE, useFactory: () => new InMemorySessionStore() }],
})
export class PlaybackModule {}
