import type { Clock } from '@streamplane/platform/clock';
import type { ProfileDraft } from '../../src/domain';

export { expectRejects } from '@streamplane/testkit';

/** A clock that starts at `startMs` and moves `stepMs` forward on every reading. */
export function steppingClock(startMs = Date.UTC(2026, 5, 1), stepMs = 1000): Clock {
  let now = startMs - stepMs;
  return {
    now: () => {
      now += stepMs;
      return new Date(now);
    },
  };
}

export function draft(accountId: string, name: string, overrides: Partial<ProfileDraft> = {}): ProfileDraft {
  return {
    accountId,
    name,
    maturityLevel: 18,
    kids: false,
    language: 'en',
    avatar: '',
    createTime: new Date(Date.UTC(2026, 0, 1)),
    ...overrides,
  };
}

export function entry(titleId: string, watchedAtMs: number, positionSeconds = 60, runtimeSeconds = 3600) {
  return {
    titleId,
    positionSeconds,
    runtimeSeconds,
    completed: positionSeconds * 100 >= runtimeSeconds * 95,
    watchedAt: new Date(watchedAtMs),
  };
}
