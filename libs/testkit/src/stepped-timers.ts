import type { Timers } from '@streamplane/tools';
import type { ManualClock } from './manual-clock';

/**
 * A ManualClock's timers for code that awaits between them (a schedule whose next timer is set only once
 * the work of the last one has finished): `runUntil` jumps from one due timer to the next and lets the
 * promise chains each one starts settle before moving on, so no timer is set late, relative to a clock
 * that has already run ahead.
 */
export class SteppedTimers implements Timers {
  private readonly due = new Map<unknown, number>();

  constructor(readonly clock: ManualClock) {}

  nowMs(): number {
    return this.clock.nowMs();
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = this.clock.setTimeout(() => {
      this.due.delete(handle);
      callback();
    }, ms);
    this.due.set(handle, this.clock.nowMs() + Math.max(0, ms));
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.due.delete(handle);
    this.clock.clearTimeout(handle);
  }

  /** Fires, one at a time, every timer due before `untilMs` (at most `maxTimers`), then moves the clock there. */
  async runUntil(untilMs: number, maxTimers = 1_000_000): Promise<void> {
    for (let fired = 0; fired < maxTimers; fired++) {
      await settle();
      const next = Math.min(...this.due.values());
      if (!(next < untilMs)) break;
      this.clock.advance(next - this.clock.nowMs());
    }
    await settle();
    if (this.clock.nowMs() < untilMs) this.clock.advance(untilMs - this.clock.nowMs());
  }
}

/** Lets promise chains that only wait on each other (fakes that answer at once) run to their end. */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 40; turn++) await Promise.resolve();
}
