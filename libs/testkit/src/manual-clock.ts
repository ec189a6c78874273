import type { Clock } from '@streamplane/platform';

/** A Clock that moves only when a test says so: expiry and retention tested in milliseconds, no sleeps. */
export class ManualClock implements Clock {
  private currentMs: number;

  constructor(start: Date | string = '2026-01-01T00:00:00.000Z') {
    this.currentMs = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.currentMs);
  }

  advance(ms: number): void {
    this.currentMs += ms;
  }

  set(instant: Date | string): void {
    this.currentMs = new Date(instant).getTime();
  }
}
