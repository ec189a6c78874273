import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from '@streamplane/platform/errors';
import { NETWORK_REGIONS } from '@streamplane/streaming';
import type { Appliance, Steering } from '../../src/domain';
import { ManualClock } from '@streamplane/testkit';
import { seededFleet, steeringOver } from './fixtures';

const fleet = seededFleet();

/** Every page of a listing, following next_page_token. */
function listAll(steering: Steering, region: string, pageSize: number): { ids: string[]; pages: number } {
  const ids: string[] = [];
  let pageToken = '';
  let pages = 0;
  do {
    const page = steering.listAppliances({ region, pageSize, pageToken });
    ids.push(...page.items.map((appliance: Appliance) => appliance.applianceId));
    pageToken = page.nextPageToken;
    pages += 1;
  } while (pageToken !== '');
  return { ids, pages };
}

describe('ListAppliances', () => {
  const steering = steeringOver(fleet);

  it('pages through a region completely, in id order, without duplicates', () => {
    const expected = fleet.appliances.filter((appliance) => appliance.region === 'ap-south');
    const { ids, pages } = listAll(steering, 'ap-south', 500);
    expect(ids).toEqual(expected.map((appliance) => appliance.applianceId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages).toBe(Math.ceil(expected.length / 500));
  });

  it('lists every region when none is given, and is stable from call to call', () => {
    const all = listAll(steering, '', 500).ids;
    expect(all).toEqual(fleet.appliances.map((appliance) => appliance.applianceId));
    expect(listAll(steering, '', 500).ids).toEqual(all);
    const first = steering.listAppliances({ region: '', pageSize: 50, pageToken: '' });
    expect(first.items).toHaveLength(50);
    expect(first.items[0]!.applianceId).toBe('oca-ap-south-00001');
  });

  it('refuses a token of another region’s listing and a token it never issued', () => {
    const usEast = steering.listAppliances({ region: 'us-east', pageSize: 10, pageToken: '' });
    expect(() => steering.listAppliances({ region: 'us-west', pageSize: 10, pageToken: usEast.nextPageToken })).toThrow(
      InvalidArgumentError,
    );
    expect(() => steering.listAppliances({ region: '', pageSize: 10, pageToken: 'garbage' })).toThrow(/^page_token: /);
  });

  it('answers NOT_FOUND for an unknown region, naming it', () => {
    expect(() => steering.listAppliances({ region: 'mars-north', pageSize: 10, pageToken: '' })).toThrow(
      new NotFoundError('region', 'mars-north'),
    );
  });
});

describe('EvacuateRegion and RestoreRegion', () => {
  let clock: ManualClock;
  let steering: Steering;

  beforeEach(() => {
    clock = new ManualClock('2026-03-01T12:00:00Z');
    steering = steeringOver(fleet, clock);
  });

  it('reports a region’s counts and failover, with no change time until it changes', () => {
    const state = steering.regionState('eu-west');
    const inRegion = fleet.inRegion('eu-west');
    expect(state).toEqual({
      region: 'eu-west',
      evacuated: false,
      failoverRegion: 'us-east',
      applianceCount: inRegion.length,
      healthyApplianceCount: inRegion.filter((appliance) => appliance.healthy).length,
    });
    expect(state.healthyApplianceCount).toBeLessThan(state.applianceCount);
  });

  it('evacuates once: evacuating again returns the state unchanged', () => {
    const evacuated = steering.evacuateRegion('us-east');
    expect(evacuated).toMatchObject({
      region: 'us-east',
      evacuated: true,
      failoverRegion: 'us-west',
      changeTime: clock.now(),
    });
    clock.set('2026-03-01T13:00:00Z');
    expect(steering.evacuateRegion('us-east')).toEqual(evacuated);
  });

  it('restores once: restoring a region in rotation returns its state unchanged', () => {
    expect(steering.restoreRegion('us-east')).toEqual(steering.regionState('us-east'));
    expect(steering.regionState('us-east').changeTime).toBeUndefined();
    steering.evacuateRegion('us-east');
    clock.set('2026-03-01T14:00:00Z');
    const restored = steering.restoreRegion('us-east');
    expect(restored).toMatchObject({ evacuated: false, changeTime: clock.now() });
    clock.set('2026-03-01T15:00:00Z');
    expect(steering.restoreRegion('us-east')).toEqual(restored);
  });

  it('refuses to evacuate the last region in rotation, and changes nothing', () => {
    const [last, ...others] = NETWORK_REGIONS.map((region) => region.name);
    for (const region of others) steering.evacuateRegion(region);
    expect(() => steering.evacuateRegion(last!)).toThrow(FailedPreconditionError);
    expect(() => steering.evacuateRegion(last!)).toThrow(`region "${last}" is the last region in rotation`);
    expect(steering.regionState(last!).evacuated).toBe(false);
    // Evacuating an already evacuated region is still the idempotent no-op.
    expect(steering.evacuateRegion(others[0]!).evacuated).toBe(true);
    steering.restoreRegion(others[0]!);
    expect(steering.evacuateRegion(last!).evacuated).toBe(true);
  });

  it('answers NOT_FOUND for an unknown region, naming it', () => {
    expect(() => steering.evacuateRegion('US-EAST')).toThrow(new NotFoundError('region', 'US-EAST'));
    expect(() => steering.restoreRegion('atlantis')).toThrow(new NotFoundError('region', 'atlantis'));
  });
});
