import { homeRegionOf, NETWORK_REGIONS } from '@streamplane/streaming';
import {
  DEFAULT_FLEET_SIZE,
  Fleet,
  formatTitleId,
  generateFleet,
  ispAsnsOf,
  MIN_FLEET_SIZE,
  STREAMPLANE_ASN,
  TitleCatalog,
  type Appliance,
} from '../../src/domain';
import { seededFleet } from './fixtures';
import { withoutRandomnessOrClock } from '@streamplane/testkit';

/** Everything about an appliance, its cache as the list of title indexes. */
function snapshot(appliance: Appliance): object {
  const cached = [];
  for (let title = 0; title < 2000; title++) if (appliance.cachedTitles.has(title)) cached.push(title);
  return { ...appliance, cachedTitles: cached };
}

describe('TitleCatalog', () => {
  const titles = new TitleCatalog(2000);

  it('knows exactly tt00001 … tt02000', () => {
    expect([titles.indexOf('tt00001'), titles.indexOf('tt02000'), formatTitleId(41)]).toEqual([0, 1999, 'tt00042']);
    for (const unknown of ['tt00000', 'tt02001', 'tt1', 'tt000001', 'TT00001', 'tt0000a', '']) {
      expect(titles.indexOf(unknown)).toBeUndefined();
    }
  });

  it('sizes titles deterministically, 4 to 24 GB, and ranks every title once by popularity', () => {
    const again = new TitleCatalog(2000);
    expect(again.sizeBytes).toEqual(titles.sizeBytes);
    expect(Math.min(...titles.sizeBytes)).toBeGreaterThanOrEqual(4e9);
    expect(Math.max(...titles.sizeBytes)).toBeLessThanOrEqual(24e9);
    expect(new Set(titles.byPopularity).size).toBe(2000);
    expect(again.byPopularity).toEqual(titles.byPopularity);
  });
});

describe('the seeded fleet', () => {
  const fleet = seededFleet();
  const appliances = fleet.appliances;

  it('has at least 17,000 appliances with unique, sorted, well-formed ids', () => {
    expect(DEFAULT_FLEET_SIZE).toBe(17_000);
    expect(appliances.length).toBeGreaterThanOrEqual(17_000);
    const ids = appliances.map((appliance) => appliance.applianceId);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every((id) => /^oca-[a-z]+-[a-z]+-\d{5}$/.test(id))).toBe(true);
  });

  it('is deterministic', () => {
    const titles = new TitleCatalog(2000);
    const again = new Fleet(generateFleet(DEFAULT_FLEET_SIZE, titles), titles).appliances;
    for (const index of [0, 1, 2, 500, 8_000, 16_999]) {
      expect(snapshot(again[index]!)).toEqual(snapshot(appliances[index]!));
    }
    expect(again.map((appliance) => [appliance.applianceId, appliance.load, appliance.cachedTitles.size])).toEqual(
      appliances.map((appliance) => [appliance.applianceId, appliance.load, appliance.cachedTitles.size]),
    );
  });

  it('covers the four regions, each with origins, exchanges and embedded appliances', () => {
    expect(NETWORK_REGIONS.map((region) => region.name).sort()).toEqual(['ap-south', 'eu-west', 'us-east', 'us-west']);
    for (const region of NETWORK_REGIONS) {
      const inRegion = fleet.inRegion(region.name);
      expect(inRegion.every((appliance) => appliance.applianceId.startsWith(`oca-${region.name}-`))).toBe(true);
      const siteTypes = new Set(inRegion.map((appliance) => appliance.siteType));
      expect(siteTypes).toEqual(new Set(['ORIGIN', 'INTERNET_EXCHANGE', 'EMBEDDED_ISP']));
      expect(fleet.originsInRegion(region.name).length).toBeGreaterThanOrEqual(1);
      for (const country of region.homeCountries) expect(fleet.exchangesInCountry(country).length).toBeGreaterThan(0);
    }
  });

  it('places every appliance in a country of its region, embedded ones in one of that country’s ISPs', () => {
    const misplaced = appliances.filter(
      (appliance) =>
        homeRegionOf(appliance.country)?.name !== appliance.region ||
        (appliance.siteType === 'EMBEDDED_ISP'
          ? !ispAsnsOf(appliance.country).includes(appliance.asn)
          : appliance.asn !== STREAMPLANE_ASN),
    );
    expect(misplaced).toEqual([]);
    expect(ispAsnsOf('US')).toEqual(Array.from({ length: 12 }, (_, isp) => 20250 + isp));
    expect(ispAsnsOf('ZZ')).toEqual([]);
  });

  it('keeps origins healthy and complete, and about 2–3 % of the rest unhealthy', () => {
    const origins = appliances.filter((appliance) => appliance.siteType === 'ORIGIN');
    expect(origins.every((origin) => origin.healthy && origin.cachedTitles.size === 2000)).toBe(true);
    const unhealthyShare = appliances.filter((appliance) => !appliance.healthy).length / appliances.length;
    expect(unhealthyShare).toBeGreaterThan(0.015);
    expect(unhealthyShare).toBeLessThan(0.035);
  });

  it('has sane capacities, loads and storage: used is the size of the cached titles, within capacity', () => {
    for (const appliance of appliances.filter((_, index) => index % 97 === 0)) {
      let cachedBytes = 0;
      for (let title = 0; title < 2000; title++) {
        if (appliance.cachedTitles.has(title)) cachedBytes += fleet.titles.sizeBytes[title]!;
      }
      expect(appliance.storageUsedBytes).toBe(cachedBytes);
      expect(appliance.storageUsedBytes).toBeLessThanOrEqual(appliance.storageCapacityBytes);
      expect([10, 40, 100, 400]).toContain(appliance.capacityGbps);
      expect(appliance.load).toBeGreaterThanOrEqual(0);
      expect(appliance.load).toBeLessThanOrEqual(1);
    }
  });

  it('caches popular titles on most appliances and the long tail on few', () => {
    const caches = appliances.filter((appliance) => appliance.siteType === 'EMBEDDED_ISP');
    const shareHolding = (rank: number) =>
      caches.filter((appliance) => appliance.cachedTitles.has(fleet.titles.byPopularity[rank]!)).length / caches.length;
    expect(shareHolding(0)).toBeGreaterThan(0.9);
    expect(shareHolding(1999)).toBeLessThan(0.1);
    expect(shareHolding(1999)).toBeGreaterThan(0);
    const meanCached = caches.reduce((sum, appliance) => sum + appliance.cachedTitles.size, 0) / caches.length;
    expect(meanCached).toBeGreaterThan(50);
    expect(meanCached).toBeLessThan(1000);
  });

  it('stores caches as bitsets: one bit per title and appliance', () => {
    expect(fleet.cacheBytes).toBe(appliances.length * Math.ceil(2000 / 32) * 4);
    expect(fleet.cacheBytes).toBeLessThan(5_000_000);
  });

  it('never uses Math.random or the clock', () => {
    withoutRandomnessOrClock(() => {
      const titles = new TitleCatalog(300);
      expect(generateFleet(MIN_FLEET_SIZE, titles)).toHaveLength(MIN_FLEET_SIZE);
    });
  });

  it('builds a small fleet with every kind of site, and refuses sizes out of bounds', () => {
    const titles = new TitleCatalog(100);
    const small = generateFleet(MIN_FLEET_SIZE, titles);
    expect(small).toHaveLength(MIN_FLEET_SIZE);
    expect(new Set(small.map((appliance) => appliance.siteType)).size).toBe(3);
    expect(() => generateFleet(MIN_FLEET_SIZE - 1, titles)).toThrow(RangeError);
    expect(() => generateFleet(1.5e5, titles)).toThrow(RangeError);
  });
});
