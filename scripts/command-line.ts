/**
 * Runs a command-line tool's main function and exits with its code. A failure the tool did not turn into
 * an exit code itself is a bug, but still one line on stderr and exit 1, never an unhandled rejection.
 */
export function exitWith(command: string, run: () => Promise<number>): void {
  run().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${command}: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
