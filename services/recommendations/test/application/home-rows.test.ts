import { NotFoundError, UnavailableError } from '@streamplane/platform/errors';
import { HISTORY_ENTRIES, HomeRows } from '../../src/application/home-rows';
import type { CatalogSnapshots } from '../../src/application/ports';
import { KIDS_SAFE_MATURITY_LEVEL, type WatchedTitle } from '../../src/domain';
import { aTitle, FakeHistoryTitles, FakeProfiles, loadedSnapshot, recordingLogger } from './fakes';

const LEVELS = [0, 7, 13, 16, 18];
const GENRES = ['action', 'comedy', 'drama', 'horror'];
/** 60 US titles across genres and every maturity level. */
const CATALOG = Array.from({ length: 60 }, (_, i) =>
  aTitle({
    title_id: `tt${String(i + 1).padStart(5, '0')}`,
    genres: [GENRES[i % GENRES.length]!],
    maturity_level: LEVELS[i % LEVELS.length]!,
    release_year: 2000 + (i % 20),
  }),
);
const LIMITS = { country: 'US', maxRows: 10, titlesPerRow: 100 };
const ADULT = { maturityLevel: 18 };
/** tt00002 (level 7) and tt00005 (level 18) started, tt00003 finished; tt00005 most recently. */
const HISTORY: WatchedTitle[] = [
  { titleId: 'tt00002', positionSeconds: 300, completed: false, watchedAtMs: Date.UTC(2026, 0, 1, 20) },
  { titleId: 'tt00003', positionSeconds: 5400, completed: true, watchedAtMs: Date.UTC(2026, 0, 2, 20) },
  { titleId: 'tt00005', positionSeconds: 120, completed: false, watchedAtMs: Date.UTC(2026, 0, 3, 20) },
];

/** A snapshot taken before the history's titles were added to the catalog. */
const BEFORE_HISTORY = loadedSnapshot(
  CATALOG.filter((title) => !HISTORY.some((entry) => entry.titleId === title.title_id)),
);

function withPorts(
  profiles: FakeProfiles,
  historyTitles = new FakeHistoryTitles(CATALOG),
  snapshots: CatalogSnapshots = loadedSnapshot(CATALOG),
) {
  const { logger, lines } = recordingLogger();
  return { homeRows: new HomeRows({ profiles, historyTitles, snapshots, logger }), lines };
}

const degradedLines = (lines: Record<string, unknown>[]) =>
  lines.filter((line) => line.msg === 'personalisation unavailable; answering with trending rows');

describe('HomeRows, personalised', () => {
  it('asks profiles once for the profile and its history, and takes the history’s titles from the snapshot', async () => {
    const profiles = new FakeProfiles(ADULT, HISTORY);
    const titles = new FakeHistoryTitles(CATALOG);
    const { homeRows, lines } = withPorts(profiles, titles);

    const answer = await homeRows.forProfile('acct-0001-p1', LIMITS);

    expect(answer.degraded).toBe(false);
    expect(profiles.profile.calls).toEqual([['acct-0001-p1']]);
    expect(profiles.viewingHistory.calls).toEqual([['acct-0001-p1', HISTORY_ENTRIES]]);
    expect(titles.titles.calls).toEqual([]);
    expect(answer.rows[0]).toMatchObject({ rowId: 'continue-watching', kind: 'CONTINUE_WATCHING' });
    expect(answer.rows[0]!.titles.map((title) => title.title_id)).toEqual(['tt00005', 'tt00002']);
    expect(answer.rows[0]!.resumePositionSeconds).toEqual({ tt00005: 120, tt00002: 300 });
    expect(answer.rows.filter((row) => row.kind === 'GENRE').length).toBeGreaterThan(0);
    expect(answer.rows.at(-1)).toMatchObject({ rowId: 'trending-US', kind: 'TRENDING' });
    expect(degradedLines(lines)).toHaveLength(0);
  });

  it('asks catalog only for history titles newer than the snapshot', async () => {
    const titles = new FakeHistoryTitles(CATALOG);
    // The snapshot was taken before tt00005 was added to the catalog.
    const older = loadedSnapshot(CATALOG.filter((title) => title.title_id !== 'tt00005'));
    const { homeRows } = withPorts(new FakeProfiles(ADULT, HISTORY), titles, older);

    const answer = await homeRows.forProfile('acct-0001-p1', LIMITS);

    expect(answer.degraded).toBe(false);
    expect(titles.titles.calls).toEqual([[['tt00005']]]);
    expect(answer.rows[0]!.titles.map((title) => title.title_id)).toEqual(['tt00005', 'tt00002']);
  });

  it('keeps personalising from the snapshot while catalog cannot answer', async () => {
    const titles = new FakeHistoryTitles(CATALOG, false);
    const { homeRows } = withPorts(new FakeProfiles(ADULT, HISTORY), titles);
    const answer = await homeRows.forProfile('acct-0001-p1', LIMITS);
    expect(answer.degraded).toBe(false);
    expect(titles.titles.calls).toHaveLength(0);
    expect(answer.rows[0]).toMatchObject({ kind: 'CONTINUE_WATCHING' });
  });

  it('keeps every title within the profile’s maturity level', async () => {
    const { homeRows } = withPorts(new FakeProfiles({ maturityLevel: 7 }, HISTORY));
    const { rows, degraded } = await homeRows.forProfile('acct-0001-p5', LIMITS);
    expect(degraded).toBe(false);
    expect(rows[0]!.titles.map((title) => title.title_id)).toEqual(['tt00002']);
    for (const title of rows.flatMap((row) => row.titles)) expect(title.maturity_level).toBeLessThanOrEqual(7);
  });

  it('does not ask catalog about an empty history', async () => {
    const titles = new FakeHistoryTitles(CATALOG);
    const { homeRows } = withPorts(new FakeProfiles(ADULT, []), titles);
    const answer = await homeRows.forProfile('acct-0002-p1', LIMITS);
    expect(answer.degraded).toBe(false);
    expect(titles.titles.calls).toHaveLength(0);
    expect(answer.rows.map((row) => row.kind)).not.toContain('CONTINUE_WATCHING');
  });
});

describe('HomeRows, degraded to trending', () => {
  it.each([
    ['the profile', new FakeProfiles(undefined, HISTORY), new FakeHistoryTitles(CATALOG), KIDS_SAFE_MATURITY_LEVEL],
    ['the viewing history', new FakeProfiles(ADULT, undefined), new FakeHistoryTitles(CATALOG), 18],
    ['the history’s titles', new FakeProfiles(ADULT, HISTORY), new FakeHistoryTitles(CATALOG, false), 18],
  ])(
    'answers the trending row alone, flagged degraded, when %s cannot be had',
    async (missing, profiles, titles, ceiling) => {
      const { homeRows, lines } = withPorts(profiles, titles, BEFORE_HISTORY);

      const answer = await homeRows.forProfile('acct-0001-p1', LIMITS);

      expect(answer.degraded).toBe(true);
      expect(answer.rows.map((row) => row.rowId)).toEqual(['trending-US']);
      const levels = answer.rows[0]!.titles.map((title) => title.maturity_level);
      expect(Math.max(...levels)).toBe(ceiling);
      // Catalog is asked for the titles only once profiles gave both the profile and the history.
      expect(titles.titles.calls).toHaveLength(missing === 'the history’s titles' ? 1 : 0);
      expect(degradedLines(lines)).toHaveLength(1);
      expect(degradedLines(lines)[0]).toMatchObject({ level: 'debug', profile_id: 'acct-0001-p1', country: 'US' });
    },
  );

  it('names what it went without in its trace', async () => {
    const cases = [
      [new FakeProfiles(undefined, undefined), new FakeHistoryTitles(CATALOG), ['profile', 'viewing history']],
      [new FakeProfiles(ADULT, HISTORY), new FakeHistoryTitles(CATALOG, false), ['history titles']],
    ] as const;
    for (const [profiles, titles, wentWithout] of cases) {
      const { homeRows, lines } = withPorts(profiles, titles, BEFORE_HISTORY);
      await homeRows.forProfile('acct-0001-p1', LIMITS);
      expect(degradedLines(lines)[0]!.went_without).toEqual(wentWithout);
    }
  });

  it('answers personalised again as soon as every port answers', async () => {
    const profiles = new FakeProfiles(undefined, HISTORY);
    const { homeRows } = withPorts(profiles);
    expect((await homeRows.forProfile('acct-0001-p1', LIMITS)).degraded).toBe(true);
    profiles.facts = ADULT;
    expect((await homeRows.forProfile('acct-0001-p1', LIMITS)).degraded).toBe(false);
  });
});

describe('HomeRows, failing', () => {
  it('still throws NOT_FOUND for an unknown profile: an answer, not an outage', async () => {
    const profiles = new FakeProfiles(ADULT, HISTORY);
    const unknown = new NotFoundError('profile', 'acct-0001-p9');
    profiles.profile = Object.assign(() => Promise.reject(unknown), { calls: [] });
    const titles = new FakeHistoryTitles(CATALOG);
    const { homeRows, lines } = withPorts(profiles, titles);

    await expect(homeRows.forProfile('acct-0001-p9', LIMITS)).rejects.toBe(unknown);
    expect(titles.titles.calls).toHaveLength(0);
    expect(degradedLines(lines)).toHaveLength(0);
  });

  it('is UNAVAILABLE before the snapshot has loaded, without asking profiles', async () => {
    const notLoaded = new UnavailableError('catalog snapshot not loaded yet');
    const profiles = new FakeProfiles(ADULT, HISTORY);
    const { homeRows } = withPorts(profiles, new FakeHistoryTitles(CATALOG), {
      current: () => {
        throw notLoaded;
      },
    });
    await expect(homeRows.forProfile('acct-0001-p1', LIMITS)).rejects.toBe(notLoaded);
    expect(profiles.profile.calls).toHaveLength(0);
    expect(profiles.viewingHistory.calls).toHaveLength(0);
  });
});
