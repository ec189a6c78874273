import { byApplianceId, byServingPreference, type Appliance } from './appliance';
import { TitleSet } from './title-set';
import type { TitleCatalog } from './titles';

const NONE: readonly Appliance[] = [];

/**
 * The fleet and the indexes steering reads, built once: appliances never move, and their load and
 * health are seed values. Steering buckets (by ASN, country, region) are pre-sorted least loaded first,
 * so ranking walks the front of a few small buckets and never the fleet.
 */
export class Fleet {
  /** Every appliance, ordered by id. */
  readonly appliances: readonly Appliance[];
  /** Bytes of the cached-title bitsets of the whole fleet. */
  readonly cacheBytes: number;
  private readonly byRegion = new Map<string, Appliance[]>();
  private readonly embeddedByAsn = new Map<number, Appliance[]>();
  private readonly exchangesByCountry = new Map<string, Appliance[]>();
  private readonly exchangesByRegion = new Map<string, Appliance[]>();
  private readonly originsByRegion = new Map<string, Appliance[]>();
  /** Titles at least one appliance holds, healthy or not. */
  private readonly stocked: TitleSet;

  constructor(
    appliances: readonly Appliance[],
    readonly titles: TitleCatalog,
  ) {
    this.appliances = [...appliances].sort(byApplianceId);
    this.cacheBytes = appliances.length * Math.ceil(titles.count / 32) * Uint32Array.BYTES_PER_ELEMENT;
    this.stocked = TitleSet.union(
      titles.count,
      this.appliances.map((appliance) => appliance.cachedTitles),
    );
    for (const appliance of this.appliances) {
      push(this.byRegion, appliance.region, appliance);
      if (appliance.siteType === 'EMBEDDED_ISP') push(this.embeddedByAsn, appliance.asn, appliance);
      if (appliance.siteType === 'INTERNET_EXCHANGE') {
        push(this.exchangesByCountry, appliance.country, appliance);
        push(this.exchangesByRegion, appliance.region, appliance);
      }
      if (appliance.siteType === 'ORIGIN') push(this.originsByRegion, appliance.region, appliance);
    }
    for (const index of [this.embeddedByAsn, this.exchangesByCountry, this.exchangesByRegion, this.originsByRegion]) {
      for (const bucket of index.values()) bucket.sort(byServingPreference);
    }
  }

  /** The region's appliances ordered by id; empty for a region without any. */
  inRegion(region: string): readonly Appliance[] {
    return this.byRegion.get(region) ?? NONE;
  }

  /** Embedded appliances hosted by the ISP of `asn`, least loaded first. */
  embeddedIn(asn: number): readonly Appliance[] {
    return this.embeddedByAsn.get(asn) ?? NONE;
  }

  /** Exchange appliances in a country, least loaded first. */
  exchangesInCountry(country: string): readonly Appliance[] {
    return this.exchangesByCountry.get(country) ?? NONE;
  }

  /** Exchange appliances of a region, least loaded first. */
  exchangesInRegion(region: string): readonly Appliance[] {
    return this.exchangesByRegion.get(region) ?? NONE;
  }

  /** Origin appliances of a region, least loaded first. */
  originsInRegion(region: string): readonly Appliance[] {
    return this.originsByRegion.get(region) ?? NONE;
  }

  /** Whether any appliance, healthy or not, holds the title. */
  stocks(title: number): boolean {
    return this.stocked.has(title);
  }
}

function push<K>(index: Map<K, Appliance[]>, key: K, appliance: Appliance): void {
  const bucket = index.get(key);
  if (bucket) bucket.push(appliance);
  else index.set(key, [appliance]);
}
