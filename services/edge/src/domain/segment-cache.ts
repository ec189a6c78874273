/**
 * The appliance's segment store: least recently used segments leave first once the stored bytes would
 * exceed the capacity. It keeps which segments are held and their sizes, as a disk's index would; the
 * bytes themselves are deterministic (segment-content.ts), so they are produced when served instead of
 * being held in the process's heap, which could not hold an appliance's terabytes anyway.
 */
export class SegmentCache {
  /** Map order is recency order: the first key is the least recently used. */
  private readonly sizes = new Map<string, number>();
  private storedBytes = 0;
  private evictionCount = 0;

  constructor(readonly capacityBytes: number) {
    if (!Number.isSafeInteger(capacityBytes) || capacityBytes <= 0) {
      throw new Error(`a segment cache needs a positive capacity (got ${capacityBytes})`);
    }
  }

  /** Whether `key` is held; a hit makes it the most recently used. */
  lookup(key: string): boolean {
    const size = this.sizes.get(key);
    if (size === undefined) return false;
    this.sizes.delete(key);
    this.sizes.set(key, size);
    return true;
  }

  /** Whether `key` is held, without touching its recency (fill planning asks this). */
  holds(key: string): boolean {
    return this.sizes.has(key);
  }

  /**
   * Stores `key` as the most recently used, evicting the least recently used until it fits. A segment
   * larger than the whole cache is not stored (it would evict everything and still not fit).
   */
  admit(key: string, bytes: number): boolean {
    if (bytes > this.capacityBytes) return false;
    if (this.lookup(key)) return true;
    while (this.storedBytes + bytes > this.capacityBytes) {
      const [oldest, size] = this.sizes.entries().next().value as [string, number];
      this.sizes.delete(oldest);
      this.storedBytes -= size;
      this.evictionCount += 1;
    }
    this.sizes.set(key, bytes);
    this.storedBytes += bytes;
    return true;
  }

  get bytes(): number {
    return this.storedBytes;
  }

  get entries(): number {
    return this.sizes.size;
  }

  get evictions(): number {
    return this.evictionCount;
  }
}
