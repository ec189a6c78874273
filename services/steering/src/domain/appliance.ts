import type { TitleSet } from './title-set';

/** Where an appliance sits: inside an ISP, at an internet exchange, or at an origin site. */
export type SiteType = 'EMBEDDED_ISP' | 'INTERNET_EXCHANGE' | 'ORIGIN';

export interface Appliance {
  /** "oca-us-east-00042": ids sort by region, then by number. */
  readonly applianceId: string;
  readonly region: string;
  /** ISO 3166-1 alpha-2; a country whose home region is `region`. */
  readonly country: string;
  /** The host ISP's ASN for embedded appliances; {@link STREAMPLANE_ASN} for exchange and origin sites. */
  readonly asn: number;
  readonly siteType: SiteType;
  readonly capacityGbps: number;
  readonly storageCapacityBytes: number;
  /** The total size of the cached titles. */
  readonly storageUsedBytes: number;
  /** Egress load, 0 (idle) … 1 (saturated). */
  readonly load: number;
  readonly healthy: boolean;
  /** Title indexes (see TitleCatalog) cached on the appliance; every title for an origin. */
  readonly cachedTitles: TitleSet;
}

/** Streamplane's own network, where exchange and origin sites announce from (a documentation ASN). */
export const STREAMPLANE_ASN = 64496;

export function freeStorageBytes(appliance: Appliance): number {
  return appliance.storageCapacityBytes - appliance.storageUsedBytes;
}

/** Ids compare by code unit, never by locale, so every page of every listing agrees. */
export function byApplianceId(a: Appliance, b: Appliance): number {
  return a.applianceId < b.applianceId ? -1 : a.applianceId > b.applianceId ? 1 : 0;
}

/** Steering's order among equally placed appliances: least loaded first, then by id. */
export function byServingPreference(a: Appliance, b: Appliance): number {
  return a.load - b.load || byApplianceId(a, b);
}
