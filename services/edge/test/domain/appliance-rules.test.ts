import { applianceOfHost } from '@streamplane/streaming';
import { FillPacer, FillWindow, parseEdgePath, resolveRange, SegmentCache, segmentContent } from '../../src/domain';

describe('the segment cache', () => {
  it('evicts the least recently used segments once the stored bytes would pass the bound', () => {
    const cache = new SegmentCache(1_000);
    cache.admit('a', 400);
    cache.admit('b', 400);
    expect(cache.lookup('a')).toBe(true); // a is now the most recently used
    cache.admit('c', 400);
    expect([cache.holds('a'), cache.holds('b'), cache.holds('c')]).toEqual([true, false, true]);
    expect(cache.bytes).toBe(800);
    expect(cache.evictions).toBe(1);
  });

  it('never holds more than its capacity, and does not store a segment larger than all of it', () => {
    const cache = new SegmentCache(1_000);
    for (let index = 0; index < 50; index++) {
      cache.admit(`s${index}`, 90 + index);
      expect(cache.bytes).toBeLessThanOrEqual(1_000);
    }
    expect(cache.admit('huge', 1_001)).toBe(false);
    expect(cache.holds('huge')).toBe(false);
    expect(cache.holds('s49')).toBe(true);
  });
});

describe('range requests', () => {
  it.each([
    [undefined, { kind: 'whole' }],
    ['bytes=0-99', { kind: 'partial', start: 0, end: 99 }],
    ['bytes=900-', { kind: 'partial', start: 900, end: 999 }],
    ['bytes=-100', { kind: 'partial', start: 900, end: 999 }],
    ['bytes=990-5000', { kind: 'partial', start: 990, end: 999 }],
    ['bytes=1000-', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=5-1', { kind: 'whole' }],
    ['bytes=0-1,5-9', { kind: 'whole' }],
    ['items=0-1', { kind: 'whole' }],
  ])('%s of 1000 bytes → %j', (header, expected) => {
    expect(resolveRange(header, 1_000)).toEqual(expected);
  });
});

describe('segment content', () => {
  const ref = { titleId: 'tt00001', renditionId: 'h264-240p-235', segment: 3 } as const;

  it('is deterministic, and a range is the same bytes as the slice of the whole', () => {
    const whole = segmentContent(ref, 0, 99_999);
    expect(segmentContent(ref, 0, 99_999).equals(whole)).toBe(true);
    expect(segmentContent(ref, 4_000, 12_345).equals(whole.subarray(4_000, 12_346))).toBe(true);
    expect(segmentContent({ ...ref, segment: 4 }, 0, 99).equals(whole.subarray(0, 100))).toBe(false);
  });
});

describe('request targets and hosts', () => {
  it.each([
    ['/titles/tt00001', { kind: 'manifest', titleId: 'tt00001' }],
    ['/titles/tt00001/h264-240p-235/init.mp4', { kind: 'segment', renditionId: 'h264-240p-235', segment: 'init' }],
    ['/titles/tt00001/h264-240p-235/17.m4s', { kind: 'segment', segment: 17 }],
  ])('%s names %j', (path, expected) => {
    expect(parseEdgePath(path)).toMatchObject(expected);
  });

  it.each(['/', '/titles/', '/titles/tt1/r/0.m4s', '/titles/tt1/r/01.m4s', '/titles/tt1/r/x.mp4', '/titles/%E0%A4%A'])(
    '%s names nothing',
    (path) => expect(parseEdgePath(path)).toHaveProperty('notFound'),
  );

  it('reads the appliance from a Host header, case and port aside', () => {
    expect(applianceOfHost('OCA-us-east-00042.oca.streamplane.example:8080')).toBe('oca-us-east-00042');
    expect(applianceOfHost('origin.oca.streamplane.example')).toBe('origin');
    expect(applianceOfHost('127.0.0.1:8080')).toBeUndefined();
    expect(applianceOfHost('a.b.oca.streamplane.example')).toBeUndefined();
  });
});

describe('the fill window and pacer', () => {
  it('is open in its hours of the local day, wrapping past midnight when asked', () => {
    const window = FillWindow.parse('02:00-14:00', 'America/New_York') as FillWindow;
    expect(window.isOpen(new Date('2026-01-10T07:00:00Z'))).toBe(true); // 02:00 EST
    expect(window.isOpen(new Date('2026-01-10T06:59:00Z'))).toBe(false);
    expect(window.isOpen(new Date('2026-01-10T19:00:00Z'))).toBe(false); // 14:00 EST
    const night = FillWindow.parse('22:00-04:00', 'UTC') as FillWindow;
    expect([23, 3, 4, 12].map((hour) => night.isOpen(new Date(Date.UTC(2026, 0, 1, hour))))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect((FillWindow.parse('00:00-24:00', 'UTC') as FillWindow).isOpen(new Date('2026-01-01T23:59:59Z'))).toBe(true);
  });

  it.each(['2-14', '02:00-02:00', '25:00-03:00', '02:61-03:00'])('refuses %s', (text) => {
    expect(FillWindow.parse(text, 'UTC')).toHaveProperty('problem');
  });

  it('refuses an unknown time zone', () => {
    expect(FillWindow.parse('02:00-14:00', 'Mars/Olympus')).toEqual({ problem: 'unknown time zone Mars/Olympus' });
  });

  it('books transfers back to back at the cap', () => {
    const pacer = new FillPacer(8_000); // 1,000 bytes a second
    expect(pacer.book(500, 0)).toBe(500);
    expect(pacer.book(1_000, 100)).toBe(1_500); // waits for the link
    expect(pacer.book(1_000, 10_000)).toBe(11_000); // an idle link starts at once
  });
});
