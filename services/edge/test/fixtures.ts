import { NotFoundError } from '@streamplane/platform';
import type { TitleMediaSource } from '../src/application/ports';
import { titleMedia, type LadderRung, type TitleMedia } from '../src/domain';

/** A ladder shaped like catalog's: h264 up to 1080p, HEVC HDR rungs, one 2160p. */
export const LADDER: readonly LadderRung[] = [
  { codec: 'h264', width: 320, height: 240, bitrateKbps: 235, hdr: false },
  { codec: 'h264', width: 640, height: 480, bitrateKbps: 1050, hdr: false },
  { codec: 'h264', width: 1280, height: 720, bitrateKbps: 3000, hdr: false },
  { codec: 'h264', width: 1920, height: 1080, bitrateKbps: 5800, hdr: false },
  { codec: 'hevc', width: 1920, height: 1080, bitrateKbps: 5000, hdr: true },
  { codec: 'hevc', width: 3840, height: 2160, bitrateKbps: 16800, hdr: true },
];

/** Titles served by a fake catalog: id → runtime in minutes. */
export class FakeTitles implements TitleMediaSource {
  lookups = 0;
  catalogUp = true;

  constructor(private readonly runtimes: Readonly<Record<string, number>>) {}

  async media(titleId: string): Promise<TitleMedia> {
    this.lookups += 1;
    const runtime = this.runtimes[titleId];
    if (runtime === undefined) throw new NotFoundError('title', titleId);
    return titleMedia(titleId, runtime, LADDER);
  }

  async reachable(): Promise<boolean> {
    return this.catalogUp;
  }
}

/** Counts what the appliance reports. */
export class CountingMetrics {
  hits = 0;
  misses = 0;
  servedBytes = 0;
  filledBytes = { miss: 0, proactive: 0 };
  inFlight = 0;

  cacheLookup(hit: boolean): void {
    if (hit) this.hits += 1;
    else this.misses += 1;
  }

  served(bytes: number): void {
    this.servedBytes += bytes;
  }

  filled(bytes: number, reason: 'miss' | 'proactive'): void {
    this.filledBytes[reason] += bytes;
  }

  requestStarted(): void {
    this.inFlight += 1;
  }

  requestEnded(): void {
    this.inFlight -= 1;
  }
}
