/** Error classes as tests name them: any constructor of an Error, abstract ones included. */
type ErrorClass = abstract new (...args: never[]) => Error;

function expectCaught(caught: unknown, type: ErrorClass, parts: readonly string[]): Error {
  expect(caught).toBeInstanceOf(type);
  const error = caught as Error;
  for (const part of parts) expect(error.message).toContain(part);
  return error;
}

/** Runs fn, expects it to throw an instance of `type` whose message contains every part. */
export function expectThrows(fn: () => unknown, type: ErrorClass, ...parts: string[]): Error {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  return expectCaught(caught, type, parts);
}

/** Awaits `promise`, expects it to reject with an instance of `type` whose message contains every part. */
export async function expectRejects(promise: Promise<unknown>, type: ErrorClass, ...parts: string[]): Promise<Error> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  return expectCaught(caught, type, parts);
}
