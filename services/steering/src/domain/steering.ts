import { signCdnUrl, homeRegionOf, NETWORK_REGIONS, networkRegion, type NetworkRegion } from '@streamplane/streaming';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from '@streamplane/platform/errors';
import { paginate, type Page } from '@streamplane/platform/paging';
import type { Clock } from '@streamplane/platform/clock';
import type { Appliance, SiteType } from './appliance';
import type { Fleet } from './fleet';
import { planCacheFill, type DemandPrediction, type FillEntry } from './plan-fill';
import type { RegionRotationStore } from './region-rotation';

export const DEFAULT_MAX_CANDIDATES = 3;
export const MAX_CANDIDATES = 10;
export const DEFAULT_APPLIANCE_PAGE_SIZE = 50;
export const MAX_APPLIANCE_PAGE_SIZE = 500;
export const DEFAULT_FILL_TITLES = 500;
export const MAX_FILL_TITLES = 2000;
/** A signed URL is accepted for an hour after it was issued. */
export const URL_LIFETIME_MS = 60 * 60 * 1000;

/** The network position of a client, already validated. */
export interface ClientPosition {
  /** ISO 3166-1 alpha-2, upper case. */
  readonly country: string;
  /** 0 when unknown: no same-ISP preference. */
  readonly asn: number;
}

export interface SteerRequest {
  readonly titleId: string;
  readonly client: ClientPosition;
  readonly maxCandidates: number;
}

export interface Candidate {
  readonly applianceId: string;
  readonly url: string;
  readonly siteType: SiteType;
  readonly region: string;
  /** 1 = best. */
  readonly rank: number;
  readonly expiresAt: Date;
}

export interface SteeringDecision {
  /** The region serving the client: its home region, or the failover taking over for it. */
  readonly servingRegion: string;
  /** Never empty. */
  readonly candidates: readonly Candidate[];
  /** How many appliances ranking looked at: a few buckets' worth, never the fleet. */
  readonly appliancesExamined: number;
}

export interface RegionStatus {
  readonly region: string;
  readonly evacuated: boolean;
  readonly failoverRegion: string;
  readonly applianceCount: number;
  readonly healthyApplianceCount: number;
  readonly changeTime?: Date;
}

export interface ListAppliancesQuery {
  /** '' for every region. */
  readonly region: string;
  readonly pageSize: number;
  readonly pageToken: string;
}

export interface SteeringOptions {
  /** Key of the signed CDN URLs, shared with the fleet and playback-authorization. */
  readonly cdnSecret: string;
  /** When a URL is issued (its expiry counts from then) and when a region changes rotation. */
  readonly clock: Clock;
}

/**
 * Steering over the fleet. Ranking, for a title and a client:
 * 1. the serving region is the client country's home region, or, while that is evacuated, the first
 *    region in rotation along its failover chain (then any region in rotation, in NETWORK_REGIONS order,
 *    should the chain loop back on itself);
 * 2. candidates are healthy appliances that hold the title and whose region is in rotation, in tiers:
 *    embedded in the client's ISP (same ASN; none when the ASN is 0), exchanges in the client's country,
 *    exchanges in the serving region, origins of the serving region, then origins of the other regions in
 *    rotation (in the order of step 1) as a last resort;
 * 3. within a tier, least loaded first, ties by id; an appliance appears once, at its best tier; the list
 *    is cut at maxCandidates.
 * Each tier is a pre-sorted index bucket, and ranking stops as soon as it has enough candidates.
 */
export class Steering {
  private readonly countsByRegion = new Map<string, { appliances: number; healthy: number }>();

  constructor(
    private readonly fleet: Fleet,
    private readonly rotation: RegionRotationStore,
    private readonly options: SteeringOptions,
  ) {
    for (const region of NETWORK_REGIONS) {
      const appliances = fleet.inRegion(region.name);
      this.countsByRegion.set(region.name, {
        appliances: appliances.length,
        healthy: appliances.filter((appliance) => appliance.healthy).length,
      });
    }
  }

  steerPlayback({ titleId, client, maxCandidates }: SteerRequest): SteeringDecision {
    const home = homeRegionOf(client.country);
    if (!home) {
      throw new InvalidArgumentError('client.country', `"${client.country}" is not a country Streamplane serves`);
    }
    const title = this.fleet.titles.indexOf(titleId);
    if (title === undefined || !this.fleet.stocks(title)) throw new NotFoundError('title', titleId);
    const regionsInRotation = this.regionsInRotationFrom(home);
    // Evacuation never takes the last region out of rotation, so there is always a serving region.
    const servingRegion = regionsInRotation[0]!;
    const tiers: readonly (readonly Appliance[])[] = [
      client.asn === 0 ? [] : this.fleet.embeddedIn(client.asn),
      this.fleet.exchangesInCountry(client.country),
      this.fleet.exchangesInRegion(servingRegion),
      ...regionsInRotation.map((region) => this.fleet.originsInRegion(region)),
    ];

    const picked: Appliance[] = [];
    let appliancesExamined = 0;
    ranking: for (const tier of tiers) {
      for (const appliance of tier) {
        if (picked.length === maxCandidates) break ranking;
        appliancesExamined += 1;
        if (
          appliance.healthy &&
          appliance.cachedTitles.has(title) &&
          this.isInRotation(appliance.region) &&
          !picked.includes(appliance)
        ) {
          picked.push(appliance);
        }
      }
    }
    if (picked.length === 0) {
      throw new FailedPreconditionError(`every appliance holding title "${titleId}" is unhealthy or evacuated`);
    }

    const expiresAt = this.urlExpiry();
    const candidates = picked.map((appliance, index) => ({
      applianceId: appliance.applianceId,
      url: signCdnUrl(this.options.cdnSecret, appliance.applianceId, titleId, expiresAt),
      siteType: appliance.siteType,
      region: appliance.region,
      rank: index + 1,
      expiresAt,
    }));
    return { servingRegion, candidates, appliancesExamined };
  }

  /** Appliances ordered by id, of one region or of all; NOT_FOUND for an unknown region. */
  listAppliances(query: ListAppliancesQuery): Page<Appliance> {
    const appliances = query.region
      ? this.fleet.inRegion(this.requireRegion(query.region).name)
      : this.fleet.appliances;
    return paginate(appliances, query, `region:${query.region}`);
  }

  regionState(name: string): RegionStatus {
    const region = this.requireRegion(name);
    const { evacuated, changeTime } = this.rotation.get(region.name);
    const counts = this.countsByRegion.get(region.name)!;
    return {
      region: region.name,
      evacuated,
      failoverRegion: region.failover,
      applianceCount: counts.appliances,
      healthyApplianceCount: counts.healthy,
      ...(changeTime ? { changeTime } : {}),
    };
  }

  /** Takes a region out of rotation; a no-op for an evacuated one; refused for the last one in rotation. */
  evacuateRegion(name: string): RegionStatus {
    const region = this.requireRegion(name);
    if (!this.isInRotation(region.name)) return this.regionState(region.name);
    if (!NETWORK_REGIONS.some((other) => other.name !== region.name && this.isInRotation(other.name))) {
      throw new FailedPreconditionError(
        `region "${region.name}" is the last region in rotation; restore another region before evacuating it`,
      );
    }
    this.rotation.set(region.name, { evacuated: true, changeTime: this.options.clock.now() });
    return this.regionState(region.name);
  }

  /** Puts a region back into rotation; a no-op for one in rotation. */
  restoreRegion(name: string): RegionStatus {
    const region = this.requireRegion(name);
    if (this.isInRotation(region.name)) return this.regionState(region.name);
    this.rotation.set(region.name, { evacuated: false, changeTime: this.options.clock.now() });
    return this.regionState(region.name);
  }

  /** A cache-fill plan for the region's appliances (see planCacheFill for the policy). */
  planFill(regionName: string, demand: readonly DemandPrediction[]): FillEntry[] {
    const region = this.requireRegion(regionName);
    return planCacheFill(demand, this.fleet.inRegion(region.name), this.fleet.titles);
  }

  /** The region called `name`; NOT_FOUND naming it otherwise. */
  requireRegion(name: string): NetworkRegion {
    const region = networkRegion(name);
    if (!region) throw new NotFoundError('region', name);
    return region;
  }

  private isInRotation(region: string): boolean {
    return !this.rotation.get(region).evacuated;
  }

  /** Home first, then along the failover chain, then every other region; those in rotation only. */
  private regionsInRotationFrom(home: NetworkRegion): string[] {
    const order: string[] = [];
    for (let region: NetworkRegion | undefined = home; region && !order.includes(region.name);) {
      order.push(region.name);
      region = networkRegion(region.failover);
    }
    for (const region of NETWORK_REGIONS) if (!order.includes(region.name)) order.push(region.name);
    return order.filter((region) => this.isInRotation(region));
  }

  /** Whole seconds, so the expiry in the response is exactly the one signed into the URL. */
  private urlExpiry(): Date {
    return new Date(Math.floor(this.options.clock.now().getTime() / 1000) * 1000 + URL_LIFETIME_MS);
  }
}
