import { NETWORK_REGIONS, networkRegion } from '@streamplane/streaming';
import type { CallOutcome, PlatformCalls } from '../load/platform-calls';

/**
 * Chaos Kong, as steering sees it: where every appliance is (so a grant's URLs name their region), which
 * clients a region serves (its home countries), and the region taken out of rotation and put back.
 */

export interface FleetAppliance {
  region: string;
  country: string;
}

/** Appliances per page asked of steering, and pages at most: room for the largest fleet steering makes. */
const FLEET_PAGE_SIZE = 500;
const MAX_FLEET_PAGES = 250;

interface AppliancePage {
  appliances?: Array<{ appliance_id: string; region: string; country: string }>;
  next_page_token?: string;
}

function failure(what: string, outcome: CallOutcome): Error {
  return new Error(`steering ${what} answered ${outcome.code}${outcome.details ? ` (${outcome.details})` : ''}`);
}

/** Every appliance of the fleet by id, from steering's ListAppliances, page by page. */
export async function fleetOf(calls: PlatformCalls): Promise<Map<string, FleetAppliance>> {
  const fleet = new Map<string, FleetAppliance>();
  let pageToken = '';
  for (let page = 0; page < MAX_FLEET_PAGES; page++) {
    const answer = await calls.call('steering', 'ListAppliances', {
      region: '',
      page_size: FLEET_PAGE_SIZE,
      page_token: pageToken,
    });
    if (answer.code !== 'OK') throw failure('ListAppliances', answer);
    const { appliances = [], next_page_token = '' } = answer.response as AppliancePage;
    for (const { appliance_id, region, country } of appliances) fleet.set(appliance_id, { region, country });
    if (!next_page_token) return fleet;
    pageToken = next_page_token;
  }
  throw new Error(`steering listed more than ${MAX_FLEET_PAGES * FLEET_PAGE_SIZE} appliances`);
}

export interface KongCohorts {
  region: string;
  failoverRegion: string;
  /** Where the experiment cohort's plays come from: the region's largest market (most appliances). */
  homeCountry: string;
  /** Where control's plays come from: a region neither evacuated nor taking over, when there is one. */
  controlRegion: string;
  controlCountry: string;
}

/** Which countries the two cohorts of a game day on `regionName` play from. */
export function kongCohorts(regionName: string, fleet: ReadonlyMap<string, FleetAppliance>): KongCohorts {
  const region = networkRegion(regionName);
  if (!region) throw new Error(`${regionName} is not a region`);
  const appliancesIn = new Map<string, number>();
  for (const { country } of fleet.values()) appliancesIn.set(country, (appliancesIn.get(country) ?? 0) + 1);
  const largestMarket = (countries: readonly string[]) =>
    countries.reduce((best, country) =>
      (appliancesIn.get(country) ?? 0) > (appliancesIn.get(best) ?? 0) ? country : best,
    );
  const control =
    NETWORK_REGIONS.find((other) => other.name !== region.name && other.name !== region.failover) ??
    networkRegion(region.failover)!;
  return {
    region: region.name,
    failoverRegion: region.failover,
    homeCountry: largestMarket(region.homeCountries),
    controlRegion: control.name,
    controlCountry: largestMarket(control.homeCountries),
  };
}

/** The region steering serves a client of `country` from now (that of its best candidate for a title). */
export async function servingRegion(calls: PlatformCalls, country: string, titleId: string): Promise<string> {
  const answer = await calls.call('steering', 'SteerPlayback', {
    title_id: titleId,
    client: { country, asn: 0 },
    max_candidates: 1,
  });
  if (answer.code !== 'OK') throw failure('SteerPlayback', answer);
  const best = (answer.response as { candidates?: Array<{ region: string }> }).candidates?.[0];
  if (!best) throw new Error(`steering named no appliance for ${titleId} in ${country}`);
  return best.region;
}

/** Takes `region` out of rotation (EvacuateRegion) or puts it back (RestoreRegion); throws unless it did. */
export async function setRotation(calls: PlatformCalls, region: string, evacuated: boolean): Promise<void> {
  const method = evacuated ? 'EvacuateRegion' : 'RestoreRegion';
  const answer = await calls.call('steering', method, { region });
  if (answer.code !== 'OK') throw failure(method, answer);
  const state = (answer.response as { state?: { evacuated?: boolean } }).state;
  if (Boolean(state?.evacuated) !== evacuated) {
    throw new Error(`steering ${method} answered, but ${region} is ${state?.evacuated ? '' : 'not '}evacuated`);
  }
}
