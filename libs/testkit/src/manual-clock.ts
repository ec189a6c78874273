import type { Clock } from '@streamplane/platform';

interface PendingTimer {
  readonly id: number;
  readonly dueMs: number;
  readonly callback: () => void;
}

/**
 * A Clock that moves only when a test says so: expiry, retention, backoff and schedules tested in
 * milliseconds, no sleeps. Its timers (setTimeout/clearTimeout, the shape the supervisor and other
 * schedulers take) fire in due order as `advance` passes their time.
 */
export class ManualClock implements Clock {
  private currentMs: number;
  private nextId = 1;
  private pending: PendingTimer[] = [];

  constructor(start: Date | string = '2026-01-01T00:00:00.000Z') {
    this.currentMs = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.currentMs);
  }

  /** Milliseconds since the epoch, for code that keeps time as numbers. */
  nowMs(): number {
    return this.currentMs;
  }

  /** Moves time forward, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const until = this.currentMs + ms;
    for (;;) {
      const next = this.pending
        .filter((timer) => timer.dueMs <= until)
        .sort((a, b) => a.dueMs - b.dueMs || a.id - b.id)[0];
      if (!next) break;
      this.pending = this.pending.filter((timer) => timer !== next);
      this.currentMs = Math.max(this.currentMs, next.dueMs);
      next.callback();
    }
    this.currentMs = until;
  }

  set(instant: Date | string): void {
    this.currentMs = new Date(instant).getTime();
  }

  setTimeout(callback: () => void, ms: number): number {
    const timer = { id: this.nextId++, dueMs: this.currentMs + Math.max(0, ms), callback };
    this.pending.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((timer) => timer.id !== handle);
  }

  /** Timers not yet fired. */
  get pendingTimers(): number {
    return this.pending.length;
  }
}
