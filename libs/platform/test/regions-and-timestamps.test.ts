import { fromTimestamp, toTimestamp } from '../src/proto/timestamp';
import { homeRegionOf, NETWORK_REGIONS, networkRegion } from '@streamplane/streaming';

describe('network regions', () => {
  it('include the regions of the design, each failing over to another known region', () => {
    expect(NETWORK_REGIONS.map((region) => region.name)).toEqual(
      expect.arrayContaining(['us-east', 'us-west', 'eu-west', 'ap-south']),
    );
    for (const region of NETWORK_REGIONS) {
      expect(region.failover).not.toBe(region.name);
      expect(networkRegion(region.failover)).toBeDefined();
    }
  });

  it('give every country exactly one home region', () => {
    const countries = NETWORK_REGIONS.flatMap((region) => region.homeCountries);
    expect(new Set(countries).size).toBe(countries.length);
    expect(homeRegionOf('us')?.name).toBe('us-east');
    expect(homeRegionOf('ZZ')).toBeUndefined();
  });
});

describe('timestamps', () => {
  it('round-trip through the proto-loader shape with millisecond precision', () => {
    const instant = new Date('2026-11-23T10:11:12.345Z');
    expect(fromTimestamp(toTimestamp(instant))).toEqual(instant);
    expect(fromTimestamp({ seconds: 60, nanos: 0 })).toEqual(new Date(60_000));
    expect(fromTimestamp(undefined)).toEqual(new Date(0));
  });
});
