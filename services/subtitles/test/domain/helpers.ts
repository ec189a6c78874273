/** Runs fn, expects it to throw an instance of type whose message contains every part. */
export function expectError(
  fn: () => unknown,
  type: abstract new (...args: never[]) => Error,
  ...parts: string[]
): Error {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(type);
  const error = caught as Error;
  for (const part of parts) expect(error.message).toContain(part);
  return error;
}

export function titleId(n: number): string {
  return `tt${String(n).padStart(5, '0')}`;
}
