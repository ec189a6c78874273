/**
 * Waits for a condition that something else (a process, a watcher, a timer) will make true. Tests assert on
 * what happened, never on how long it took; the bound only stops a broken test from hanging.
 */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  what: string,
  maxPolls = 1000,
): Promise<void> {
  for (let polls = 0; polls < maxPolls; polls++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never happened: ${what}`);
}
