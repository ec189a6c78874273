/**
 * Counters over a sliding window, kept in `buckets` slices that rotate as time passes: what the retry
 * budget and client-side throttling both count (requests and retries, requests and accepts). Advances
 * lazily, on each read or write, so an idle counter costs no timer.
 */
export class RollingCounts<Name extends string> {
  private readonly slices: Record<Name, number[]>;
  private current = 0;
  private currentStart: number;
  private readonly sliceMs: number;

  constructor(
    names: readonly Name[],
    windowMs: number,
    private readonly buckets: number,
    private readonly now: () => number = Date.now,
  ) {
    this.slices = Object.fromEntries(names.map((name) => [name, new Array<number>(buckets).fill(0)])) as Record<
      Name,
      number[]
    >;
    this.sliceMs = windowMs / buckets;
    this.currentStart = now();
  }

  add(name: Name, count = 1): void {
    this.advance();
    this.slices[name][this.current]! += count;
  }

  /** The count of `name` over the window. */
  total(name: Name): number {
    this.advance();
    return this.slices[name].reduce((sum, value) => sum + value, 0);
  }

  private advance(): void {
    const elapsed = Math.floor((this.now() - this.currentStart) / this.sliceMs);
    if (elapsed <= 0) return;
    for (let step = 0; step < Math.min(elapsed, this.buckets); step++) {
      this.current = (this.current + 1) % this.buckets;
      for (const slices of Object.values<number[]>(this.slices)) slices[this.current] = 0;
    }
    this.currentStart += elapsed * this.sliceMs;
  }
}
