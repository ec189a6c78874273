/** Time and timers as the supervisor and the load generator take them: real, or a test's ManualClock. */
export interface Timers {
  nowMs(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  nowMs: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Timers that never keep the process alive by themselves (the supervisor's: its children do). */
export const backgroundTimers: Timers = {
  ...realTimers,
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
};
