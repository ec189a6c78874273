import type { SegmentRef } from '../domain';
import { delay, type Origin, type Timers } from '../application/ports';

/**
 * The origin as the appliance experiences it: a round trip, then the segment at the origin link's
 * bandwidth. A miss costs what it would over that link; the bytes themselves are deterministic.
 */
export class SimulatedOrigin implements Origin {
  constructor(
    private readonly timers: Timers,
    private readonly latencyMs: number,
    private readonly bitsPerSecond: number,
  ) {}

  fetch(_ref: SegmentRef, bytes: number): Promise<void> {
    return delay(this.timers, this.latencyMs + (bytes * 8 * 1000) / this.bitsPerSecond);
  }
}
