/**
 * Runs `work` with Math.random and Date.now made to throw, so a seed generator that is meant to be
 * deterministic fails its test the moment it reaches for either.
 */
export function withoutRandomnessOrClock<T>(work: () => T): T {
  const random = jest.spyOn(Math, 'random').mockImplementation(() => {
    throw new Error('Math.random used');
  });
  const now = jest.spyOn(Date, 'now').mockImplementation(() => {
    throw new Error('Date.now used');
  });
  try {
    return work();
  } finally {
    random.mockRestore();
    now.mockRestore();
  }
}
