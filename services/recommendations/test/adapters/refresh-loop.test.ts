import { RefreshLoop } from '../../src/adapters/refresh-loop';
import { eventually } from '@streamplane/testkit';

const NO_WAIT = { baseMs: 1, capMs: 1 };

describe('RefreshLoop', () => {
  it('retries a failing task with backoff until it succeeds, then runs it every interval', async () => {
    let runs = 0;
    let successes = 0;
    const failures: number[] = [];
    const loop = new RefreshLoop(
      async () => {
        runs += 1;
        if (runs <= 3) throw new Error(`catalog down (run ${runs})`);
        successes += 1;
      },
      { intervalMs: 1, retry: NO_WAIT, onFailure: (_error, inARow) => failures.push(inARow) },
    );
    const ended = loop.start();
    await eventually(() => successes >= 3, 'three successful runs');
    loop.stop();
    await ended;
    expect(failures).toEqual([1, 2, 3]);
  });

  it('backs off with full jitter, growing per failure in a row', async () => {
    const waits: number[] = [];
    const loop = new RefreshLoop(() => Promise.reject(new Error('down')), {
      intervalMs: 1,
      retry: { baseMs: 1, capMs: 4 },
      random: () => 0.999,
      onFailure: (_error, _inARow, retryInMs) => waits.push(retryInMs),
    });
    const ended = loop.start();
    await eventually(() => waits.length >= 4, 'four failures');
    loop.stop();
    await ended;
    expect(waits.slice(0, 4)).toEqual([0, 1, 3, 3]);
  });

  it('stops at once while waiting, and never runs two tasks at a time', async () => {
    let running = 0;
    let overlapped = false;
    let runs = 0;
    const loop = new RefreshLoop(
      async () => {
        running += 1;
        overlapped ||= running > 1;
        runs += 1;
        await new Promise((resolve) => setImmediate(resolve));
        running -= 1;
      },
      { intervalMs: 3_600_000, retry: NO_WAIT },
    );
    const ended = loop.start();
    expect(loop.start()).toBe(ended);
    await eventually(() => runs === 1 && running === 0, 'the first run');
    loop.stop();
    await ended;
    expect(runs).toBe(1);
    expect(overlapped).toBe(false);
  });
});
