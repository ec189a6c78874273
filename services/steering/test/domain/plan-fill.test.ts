import { freeStorageBytes, planCacheFill, type DemandPrediction, type FillEntry } from '../../src/domain';
import { seededFleet, SMALL_CATALOG, smallFleet, steeringOver } from './fixtures';

const size = (titleId: string) => SMALL_CATALOG.sizeBytes[SMALL_CATALOG.indexOf(titleId)!]!;
const plays = (...pairs: [string, number][]): DemandPrediction[] =>
  pairs.map(([titleId, expectedPlays]) => ({ titleId, expectedPlays }));
const summary = (entries: FillEntry[]) => entries.map((entry) => [entry.applianceId, entry.titleIds]);

describe('planCacheFill', () => {
  it('sends each title to appliances that lack it, skipping those that hold it', () => {
    const fleet = smallFleet([
      { id: 'a', titles: ['tt00001'] },
      { id: 'b', titles: [] },
    ]);
    const entries = planCacheFill(plays(['tt00001', 50], ['tt00002', 10]), fleet.appliances, SMALL_CATALOG);
    expect(summary(entries)).toEqual([
      ['a', ['tt00002']],
      ['b', ['tt00001', 'tt00002']],
    ]);
    expect(entries[1]!.bytes).toBe(size('tt00001') + size('tt00002'));
  });

  it('takes the most demanded titles first, whatever order the predictions come in', () => {
    const fleet = smallFleet([{ id: 'a', titles: [], freeBytes: 30e9 }]);
    const entries = planCacheFill(
      plays(['tt00003', 1], ['tt00001', 5], ['tt00002', 9]),
      fleet.appliances,
      SMALL_CATALOG,
    );
    // Room for one or two titles of 4–24 GB: whatever fits, in demand order, tt00002 first.
    expect(entries[0]!.titleIds[0]).toBe('tt00002');
    const order = ['tt00002', 'tt00001', 'tt00003'];
    expect(entries[0]!.titleIds).toEqual(order.filter((id) => entries[0]!.titleIds.includes(id)));
  });

  it('never plans more bytes than an appliance has free', () => {
    const fleet = smallFleet([
      { id: 'tiny', titles: [], freeBytes: 1e9 },
      { id: 'small', titles: [], freeBytes: size('tt00001') + 1 },
    ]);
    const entries = planCacheFill(
      plays(['tt00001', 3], ['tt00002', 2], ['tt00003', 1]),
      fleet.appliances,
      SMALL_CATALOG,
    );
    expect(summary(entries)[0]).toEqual(['small', expect.arrayContaining(['tt00001'])]);
    expect(entries.every((entry) => entry.applianceId !== 'tiny')).toBe(true);
    expect(entries[0]!.bytes).toBeLessThanOrEqual(size('tt00001') + 1);
  });

  it('fills at most copiesPerTitle appliances per title, the roomiest first, then by id', () => {
    const fleet = smallFleet([
      { id: 'd', titles: [], freeBytes: 100e9 },
      { id: 'c', titles: [], freeBytes: 300e9 },
      { id: 'b', titles: [], freeBytes: 100e9 },
      { id: 'a', titles: [], freeBytes: 50e9 },
    ]);
    const entries = planCacheFill(plays(['tt00001', 1]), fleet.appliances, SMALL_CATALOG, 2);
    expect(summary(entries)).toEqual([
      ['b', ['tt00001']],
      ['c', ['tt00001']],
    ]);
  });

  it('leaves out origins, unhealthy appliances, unknown titles, repeats and titles nobody will play', () => {
    const fleet = smallFleet([
      { id: 'origin', siteType: 'ORIGIN', titles: [] },
      { id: 'sick', healthy: false, titles: [] },
      { id: 'well', titles: [] },
    ]);
    const entries = planCacheFill(
      plays(['tt00001', 4], ['tt99999', 3], ['tt00001', 2], ['tt00002', 0]),
      fleet.appliances,
      SMALL_CATALOG,
    );
    expect(summary(entries)).toEqual([['well', ['tt00001']]]);
  });

  it('plans within free storage over a seeded region, bounded and ordered by appliance id', () => {
    const fleet = seededFleet();
    const byId = new Map(fleet.appliances.map((appliance) => [appliance.applianceId, appliance]));
    const demand = Array.from(fleet.titles.byPopularity.slice(0, 500), (title, rank) => ({
      titleId: fleet.titles.idOf(title),
      expectedPlays: 10_000 / (rank + 1),
    }));
    const entries = steeringOver(fleet).planFill('us-west', demand);
    expect(entries.length).toBeGreaterThan(0);
    const ids = entries.map((entry) => entry.applianceId);
    expect([...ids].sort()).toEqual(ids);
    const problems: string[] = [];
    let assignments = 0;
    for (const entry of entries) {
      const appliance = byId.get(entry.applianceId)!;
      assignments += entry.titleIds.length;
      if (appliance.region !== 'us-west' || !appliance.healthy || appliance.siteType === 'ORIGIN') {
        problems.push(`${entry.applianceId} is not a fill target`);
      }
      if (entry.bytes > freeStorageBytes(appliance)) problems.push(`${entry.applianceId} overfilled`);
      const titles = entry.titleIds.map((id) => fleet.titles.indexOf(id)!);
      if (titles.some((title) => appliance.cachedTitles.has(title))) problems.push(`${entry.applianceId} holds one`);
      if (new Set(titles).size !== titles.length) problems.push(`${entry.applianceId} has repeats`);
      const bytes = titles.reduce((sum, title) => sum + fleet.titles.sizeBytes[title]!, 0);
      if (bytes !== entry.bytes) problems.push(`${entry.applianceId} bytes ${entry.bytes} ≠ ${bytes}`);
    }
    expect(problems).toEqual([]);
    expect(assignments).toBeLessThanOrEqual(500 * 8);
  });

  it('answers NOT_FOUND for an unknown region', () => {
    expect(() => steeringOver(seededFleet()).planFill('nowhere', [])).toThrow('region "nowhere" not found');
  });
});
