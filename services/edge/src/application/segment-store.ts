import { segmentKey, type SegmentCache, type SegmentRef } from '../domain';
import type { EdgeMetrics, FillReason, Origin } from './ports';

/**
 * The cache in front of the origin. A viewer's request is a hit or a miss (counted: the hit ratio); a
 * miss is served once the whole segment has been copied from the origin, as an appliance does, and
 * concurrent requests for one missing segment share one copy.
 */
export class SegmentStore {
  private readonly copying = new Map<string, Promise<void>>();

  constructor(
    private readonly cache: SegmentCache,
    private readonly origin: Origin,
    private readonly metrics: EdgeMetrics,
  ) {}

  async serve(ref: SegmentRef, bytes: number): Promise<'hit' | 'miss'> {
    const hit = this.cache.lookup(segmentKey(ref));
    this.metrics.cacheLookup(hit);
    if (hit) return 'hit';
    await this.copy(ref, bytes, 'miss');
    return 'miss';
  }

  /**
   * Proactive fill: copies `ref` unless it is held already; `paced` resolves when the fill's bandwidth
   * cap allows the copy to have arrived. Resolves true when bytes were copied.
   */
  async prefill(ref: SegmentRef, bytes: number, paced: Promise<void>): Promise<boolean> {
    if (this.cache.holds(segmentKey(ref))) return false;
    await this.copy(ref, bytes, 'proactive', paced);
    return true;
  }

  holds(ref: SegmentRef): boolean {
    return this.cache.holds(segmentKey(ref));
  }

  get capacityBytes(): number {
    return this.cache.capacityBytes;
  }

  private copy(ref: SegmentRef, bytes: number, reason: FillReason, paced?: Promise<void>): Promise<void> {
    const key = segmentKey(ref);
    let copying = this.copying.get(key);
    if (!copying) {
      copying = Promise.all([this.origin.fetch(ref, bytes), paced])
        .then(() => {
          this.cache.admit(key, bytes);
          this.metrics.filled(bytes, reason);
        })
        .finally(() => this.copying.delete(key));
      this.copying.set(key, copying);
    }
    return copying;
  }
}
