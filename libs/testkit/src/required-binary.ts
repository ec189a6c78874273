import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Store suites run against real servers (redis-server, postgres). Where a server binary is missing a
 * developer gets a loud warning and clearly named skipped tests; CI sets STREAMPLANE_REQUIRE_STORES=1 so
 * that a missing binary fails the run instead of silently testing less.
 */
export const STORES_REQUIRED = process.env.STREAMPLANE_REQUIRE_STORES === '1';

/** Absolute path of `binary` on PATH, or undefined. */
export function findOnPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * `describe(name, body)` when `binary` is installed. Otherwise the suite's tests are skipped under a name
 * that says why, or, with STREAMPLANE_REQUIRE_STORES=1, replaced by one failing test.
 */
export function describeWhenInstalled(binary: string, installHint: string, name: string, body: () => void): void {
  describeWhenAvailable(
    findOnPath(binary) !== undefined,
    binary,
    `${binary} is not on PATH (${installHint})`,
    name,
    body,
  );
}

/**
 * The same rule for a server found some other way than on PATH (Debian keeps PostgreSQL's binaries in
 * /usr/lib/postgresql/<version>/bin): `what` names it in test names, `why` says what is missing.
 */
export function describeWhenAvailable(
  available: boolean,
  what: string,
  why: string,
  name: string,
  body: () => void,
): void {
  if (available) {
    describe(name, body);
    return;
  }
  if (STORES_REQUIRED) {
    describe(name, () => {
      it(`needs ${what}: STREAMPLANE_REQUIRE_STORES=1 makes a missing server a failure`, () => {
        throw new Error(`${why}; STREAMPLANE_REQUIRE_STORES=1 requires it`);
      });
    });
    return;
  }
  // eslint-disable-next-line no-console -- a skipped store suite must not go unnoticed in a local run
  console.warn(`SKIPPING "${name}": ${why}. CI sets STREAMPLANE_REQUIRE_STORES=1, where this fails.`);
  describe.skip(`${name} [SKIPPED: ${what} not installed]`, body);
}
