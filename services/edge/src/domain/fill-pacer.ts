/**
 * Keeps proactive fill under its bandwidth cap: each transfer occupies the link for bytes × 8 / cap and
 * starts no earlier than the previous one ended, so by any instant at most cap × elapsed bytes have
 * arrived, however fast the origin could send.
 */
export class FillPacer {
  private linkFreeAtMs = -Infinity;

  constructor(private readonly capBitsPerSecond: number) {
    if (!(capBitsPerSecond > 0)) throw new Error(`a fill cap must be positive (got ${capBitsPerSecond})`);
  }

  /** When a transfer of `bytes` requested at `nowMs` completes under the cap; the link is booked until then. */
  book(bytes: number, nowMs: number): number {
    const startMs = Math.max(nowMs, this.linkFreeAtMs);
    this.linkFreeAtMs = startMs + (bytes * 8 * 1000) / this.capBitsPerSecond;
    return this.linkFreeAtMs;
  }
}
