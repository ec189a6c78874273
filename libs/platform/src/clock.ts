/**
 * Where every service reads the time. Application and domain code take a Clock (Nest injects CLOCK, the
 * system clock); tests pass the test kit's ManualClock and move time by hand, without sleeping.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** The injection token of the process's Clock. */
export const CLOCK = Symbol('Clock');
