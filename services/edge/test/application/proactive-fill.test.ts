import { FailedPreconditionError } from '@streamplane/platform';
import { ManualClock } from '@streamplane/testkit';
import { SimulatedOrigin } from '../../src/adapters/simulated-origin';
import type { FillPlanEntry, FillPlans } from '../../src/application/ports';
import { ProactiveFill, type FillReport } from '../../src/application/proactive-fill';
import { SegmentStore } from '../../src/application/segment-store';
import { FillWindow, INIT_SEGMENT_BYTES, SegmentCache } from '../../src/domain';
import { CountingMetrics, FakeTitles, LADDER } from '../fixtures';

const CAP_BITS_PER_SECOND = 80_000_000; // 10 MB/s
const SEGMENTS_PER_RENDITION = 2;
/** Per title: every rendition's init segment and its first two 4-second segments. */
const BYTES_PER_TITLE =
  LADDER.length * INIT_SEGMENT_BYTES +
  SEGMENTS_PER_RENDITION * LADDER.reduce((sum, rung) => sum + (rung.bitrateKbps * 1000 * 4) / 8, 0);

const PLAN: FillPlanEntry[] = [
  { applianceId: 'oca-us-east-00001', titleIds: ['tt00001', 'tt00002'] },
  { applianceId: 'oca-us-east-00002', titleIds: ['tt00003'] }, // hosted elsewhere
  { applianceId: 'oca-us-east-00003', titleIds: ['tt00002', 'tt00004'] },
];
const ORIGIN_LATENCY_MS = 10;
const STEP_MS = 5;
const HOSTED = new Set(['oca-us-east-00001', 'oca-us-east-00003']);

class FakePlans implements FillPlans {
  async plan(): Promise<readonly FillPlanEntry[]> {
    return PLAN;
  }
}

function setUp(start: string, cacheBytes = 10_000_000_000) {
  const clock = new ManualClock(start);
  const metrics = new CountingMetrics();
  const store = new SegmentStore(
    new SegmentCache(cacheBytes),
    new SimulatedOrigin(clock, ORIGIN_LATENCY_MS, 1e9),
    metrics,
  );
  const fill = new ProactiveFill(
    new FakePlans(),
    new FakeTitles({ tt00001: 60, tt00002: 60, tt00003: 60, tt00004: 60 }),
    store,
    (id) => HOSTED.has(id),
    clock,
    {
      window: FillWindow.parse('02:00-14:00', 'UTC') as FillWindow,
      capBitsPerSecond: CAP_BITS_PER_SECOND,
      segmentsPerRendition: SEGMENTS_PER_RENDITION,
      maxTitles: 500,
    },
  );
  return { clock, metrics, store, fill };
}

/** Moves manual time in steps, letting the fill's promises run between them; checks the cap at each. */
async function runUntilFinished(
  clock: ManualClock,
  report: FillReport,
  metrics: CountingMetrics,
  stepMs = STEP_MS,
  maxSteps = 20_000,
): Promise<number> {
  const startedAt = clock.nowMs();
  const filledBefore = metrics.filledBytes.proactive;
  for (let step = 0; step < maxSteps && report.outcome === 'running'; step++) {
    clock.advance(stepMs);
    await new Promise(setImmediate);
    const elapsedS = (clock.nowMs() - startedAt) / 1000;
    expect(metrics.filledBytes.proactive - filledBefore).toBeLessThanOrEqual((CAP_BITS_PER_SECOND / 8) * elapsedS);
  }
  return clock.nowMs() - startedAt;
}

describe('proactive fill', () => {
  it("copies the hosted appliances' planned titles, most demanded first, never faster than the cap", async () => {
    const { clock, metrics, store, fill } = setUp('2026-03-01T02:00:00Z');
    const report = await fill.start('us-east');
    expect(report.titleIds).toEqual(['tt00001', 'tt00002', 'tt00004']);

    const tookMs = await runUntilFinished(clock, report, metrics);

    expect(report).toMatchObject({ outcome: 'done', titlesFilled: 3, segmentsFilled: 3 * LADDER.length * 3 });
    expect(report.bytesFilled).toBe(3 * BYTES_PER_TITLE);
    expect(metrics.filledBytes).toEqual({ miss: 0, proactive: 3 * BYTES_PER_TITLE });
    // The cap is the bottleneck (the origin link is faster): the fill takes bytes / cap, plus at most the
    // origin's round trip and one step of manual time per segment.
    const atCapMs = ((3 * BYTES_PER_TITLE * 8) / CAP_BITS_PER_SECOND) * 1000;
    expect(tookMs).toBeGreaterThanOrEqual(atCapMs);
    expect(tookMs).toBeLessThanOrEqual(atCapMs + report.segmentsFilled * (ORIGIN_LATENCY_MS + STEP_MS));

    // The next play of a planned title is a hit from its first segment, in any rendition.
    for (const rendition of ['h264-240p-235', 'hevc-2160p-16800-hdr']) {
      expect(
        await store.serve({ titleId: 'tt00004', renditionId: rendition, segment: 'init' }, INIT_SEGMENT_BYTES),
      ).toBe('hit');
      expect(await store.serve({ titleId: 'tt00004', renditionId: rendition, segment: 1 }, 1)).toBe('hit');
    }
    expect(store.holds({ titleId: 'tt00003', renditionId: 'h264-240p-235', segment: 1 })).toBe(false);
    expect([metrics.hits, metrics.misses]).toEqual([4, 0]);
  });

  it('stops when the fill window closes', async () => {
    const { clock, metrics, fill } = setUp('2026-03-01T13:59:58Z');
    const report = await fill.start('us-east');
    await runUntilFinished(clock, report, metrics);
    expect(report.outcome).toBe('window-closed');
    expect(report.titlesFilled).toBe(0);
    // Two seconds at the cap, plus the segment in transfer when the window closed.
    expect(report.bytesFilled).toBeGreaterThan(0);
    expect(report.bytesFilled).toBeLessThanOrEqual((CAP_BITS_PER_SECOND / 8) * 2 + (16_800_000 * 4) / 8);
  });

  it('refuses to start outside the window, and while another fill runs', async () => {
    await expect(setUp('2026-03-01T15:00:00Z').fill.start('us-east')).rejects.toThrow(
      new FailedPreconditionError('outside the fill window (02:00-14:00 UTC)'),
    );
    const { fill } = setUp('2026-03-01T03:00:00Z');
    await fill.start('us-east');
    await expect(fill.start('us-east')).rejects.toThrow(/a fill for us-east is running/);
  });

  it('never copies more than the cache holds, so it does not evict what it has just copied', async () => {
    const capacity = Math.floor(1.5 * BYTES_PER_TITLE);
    const { clock, metrics, fill } = setUp('2026-03-01T03:00:00Z', capacity);
    const report = await fill.start('us-east');
    await runUntilFinished(clock, report, metrics);
    expect(report.outcome).toBe('cache-full');
    expect(report.titlesFilled).toBe(1);
    expect(report.bytesFilled).toBeLessThanOrEqual(capacity);
  });

  it('skips segments it holds already, and stops when asked', async () => {
    const { clock, metrics, fill } = setUp('2026-03-01T03:00:00Z');
    const first = await fill.start('us-east');
    await runUntilFinished(clock, first, metrics);
    const second = await fill.start('us-east');
    await runUntilFinished(clock, second, metrics);
    expect(second).toMatchObject({ outcome: 'done', segmentsFilled: 0, segmentsAlreadyHeld: first.segmentsFilled });

    const third = setUp('2026-03-01T03:00:00Z');
    const running = await third.fill.start('us-east');
    const stopped = third.fill.stop();
    third.clock.advance(10_000);
    await stopped;
    expect(running.outcome).toBe('stopped');
  });
});
