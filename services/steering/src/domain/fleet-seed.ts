import { NETWORK_REGIONS, SeededRandom } from '@streamplane/streaming';
import { STREAMPLANE_ASN, type Appliance, type SiteType } from './appliance';
import { TitleSet } from './title-set';
import type { TitleCatalog } from './titles';

/**
 * The deterministic fleet: generated at start from its size and the title catalog alone (no network, no
 * clock, no Math.random). Each appliance draws from its own stream seeded by its id, so its health, load
 * and cache never depend on the draws of another.
 *
 * Layout, per region of libs/platform's NETWORK_REGIONS and per home country, in proportion to
 * {@link MARKET_WEIGHT}:
 * - 2 ORIGIN appliances per region, in its largest market, always healthy, holding the whole catalog;
 * - INTERNET_EXCHANGE appliances, 4 % of the fleet, at least one per country;
 * - EMBEDDED_ISP appliances, the rest, spread over the country's ISPs ({@link ispAsnsOf}), the
 *   incumbent (first) ISP hosting the most.
 * About 2.5 % of non-origin appliances fail their health checks. A non-origin appliance caches each title
 * with a probability that falls with the title's popularity rank (98 % for the most popular, a few % at
 * rank 2,000), the fall slower the deeper its cache: bigger boxes and exchanges keep more of the tail.
 * Its storage is its cached bytes plus 3–25 % free room.
 */

export const DEFAULT_FLEET_SIZE = 17_000;
/** Room for every origin and one exchange per country, with the rest embedded. */
export const MIN_FLEET_SIZE = 100;
/** Ids have five digits per region. */
export const MAX_FLEET_SIZE = 100_000;

const ORIGINS_PER_REGION = 2;
const EXCHANGE_SHARE = 0.04;
const UNHEALTHY_SHARE = 0.025;
const STORAGE_STEP_BYTES = 1e11;

/** Relative size of a market: more appliances, more ISPs. Countries not listed weigh 1. */
const MARKET_WEIGHT: Readonly<Record<string, number>> = {
  US: 10,
  BR: 5,
  IN: 5,
  MX: 4,
  GB: 4,
  DE: 4,
  FR: 4,
  JP: 3,
  CA: 3,
  ES: 3,
  IT: 3,
  KR: 2,
  AU: 2,
  AR: 2,
  TR: 2,
  PL: 2,
  CO: 2,
};

interface FleetCountry {
  readonly country: string;
  readonly region: string;
  readonly weight: number;
}

const FLEET_COUNTRIES: readonly FleetCountry[] = NETWORK_REGIONS.flatMap((region) =>
  region.homeCountries.map((country) => ({ country, region: region.name, weight: MARKET_WEIGHT[country] ?? 1 })),
);

/**
 * The ASNs of a country's ISPs that host embedded appliances, incumbent first: 2 + market weight ISPs,
 * numbered 20000 + 50 × (country's position in NETWORK_REGIONS) + ISP. Empty for a country outside the fleet.
 */
export function ispAsnsOf(country: string): number[] {
  const position = FLEET_COUNTRIES.findIndex((entry) => entry.country === country);
  if (position < 0) return [];
  return Array.from({ length: 2 + FLEET_COUNTRIES[position]!.weight }, (_, isp) => 20_000 + 50 * position + isp);
}

export function formatApplianceId(region: string, number: number): string {
  return `oca-${region}-${String(number).padStart(5, '0')}`;
}

interface Site {
  region: string;
  country: string;
  siteType: SiteType;
  asn: number;
}

export function generateFleet(size: number, titles: TitleCatalog): Appliance[] {
  if (!Number.isInteger(size) || size < MIN_FLEET_SIZE || size > MAX_FLEET_SIZE) {
    throw new RangeError(`fleet size must be a whole number between ${MIN_FLEET_SIZE} and ${MAX_FLEET_SIZE}`);
  }
  const sites = layOut(size);
  const sets = TitleSet.allocate(sites.length, titles.count);
  const draws = new CacheDraws(titles);
  const numberInRegion = new Map<string, number>();
  return sites.map((site, index) => {
    const number = (numberInRegion.get(site.region) ?? 0) + 1;
    numberInRegion.set(site.region, number);
    return buildAppliance(formatApplianceId(site.region, number), site, sets[index]!, draws);
  });
}

/** Where each appliance goes, region by region, so that ids number each region's sites in order. */
function layOut(size: number): Site[] {
  const originCount = ORIGINS_PER_REGION * NETWORK_REGIONS.length;
  const weights = FLEET_COUNTRIES.map((entry) => entry.weight);
  const exchangeCount = Math.max(FLEET_COUNTRIES.length, Math.round(size * EXCHANGE_SHARE));
  const exchanges = apportion(exchangeCount, weights, 1);
  const embedded = apportion(size - originCount - exchangeCount, weights, 0);

  const sites: Site[] = [];
  for (const region of NETWORK_REGIONS) {
    const countries = FLEET_COUNTRIES.filter((entry) => entry.region === region.name);
    const largest = countries.reduce((best, entry) => (entry.weight > best.weight ? entry : best));
    for (let i = 0; i < ORIGINS_PER_REGION; i++) {
      sites.push({ region: region.name, country: largest.country, siteType: 'ORIGIN', asn: STREAMPLANE_ASN });
    }
    for (const entry of countries) {
      const position = FLEET_COUNTRIES.indexOf(entry);
      for (let i = 0; i < exchanges[position]!; i++) {
        sites.push({
          region: region.name,
          country: entry.country,
          siteType: 'INTERNET_EXCHANGE',
          asn: STREAMPLANE_ASN,
        });
      }
      const asns = ispAsnsOf(entry.country);
      const perIsp = apportion(
        embedded[position]!,
        asns.map((_, isp) => 1 / (isp + 1)),
        0,
      );
      asns.forEach((asn, isp) => {
        for (let i = 0; i < perIsp[isp]!; i++) {
          sites.push({ region: region.name, country: entry.country, siteType: 'EMBEDDED_ISP', asn });
        }
      });
    }
  }
  return sites;
}

/** Splits `total` in proportion to `weights`, each share at least `minimum` (largest remainders). */
function apportion(total: number, weights: readonly number[], minimum: number): number[] {
  const spare = total - minimum * weights.length;
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0);
  const exact = weights.map((weight) => (spare * weight) / weightSum);
  const shares = exact.map((share) => minimum + Math.floor(share));
  let left = total - shares.reduce((sum, share) => sum + share, 0);
  const byRemainder = exact
    .map((share, index) => ({ index, remainder: share - Math.floor(share) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of byRemainder) {
    if (left-- <= 0) break;
    shares[index]! += 1;
  }
  return shares;
}

const TWO_TO_32 = 2 ** 32;

/**
 * Which titles an appliance caches. Drawing from the PRNG for every (appliance, title) pair would be 34 M
 * draws; instead each title draws one 32-bit number once, each appliance an odd multiplier and an offset
 * once, and the appliance's draw for a title is (multiplier × number + offset) mod 2^32: uniform for
 * every title, different from appliance to appliance, and plain integer arithmetic (exact in a double,
 * the sum staying below 2^53; `>>> 0` takes it mod 2^32), so a whole fleet takes a few hundred ms.
 */
class CacheDraws {
  private readonly numberByRank: Float64Array;
  /** Per cache depth, the hold chance of each popularity rank scaled to 2^32, to compare with a draw. */
  private readonly thresholdsByDepth = new Map<number, Float64Array>();

  constructor(private readonly titles: TitleCatalog) {
    const random = new SeededRandom('fleet:titles');
    this.numberByRank = Float64Array.from({ length: titles.count }, () => random.int(0, TWO_TO_32 - 1));
  }

  /** Adds the titles an appliance with this cache depth keeps to `cache`; returns their total size. */
  fill(cache: TitleSet, depth: number, random: SeededRandom): number {
    const multiplier = random.int(0, 2 ** 20 - 1) * 2 + 1;
    const offset = random.int(0, TWO_TO_32 - 1);
    const thresholds = this.thresholdsFor(depth);
    let usedBytes = 0;
    for (let rank = 0; rank < this.titles.count; rank++) {
      const draw = (multiplier * this.numberByRank[rank]! + offset) >>> 0;
      if (draw < thresholds[rank]!) {
        const title = this.titles.byPopularity[rank]!;
        cache.add(title);
        usedBytes += this.titles.sizeBytes[title]!;
      }
    }
    return usedBytes;
  }

  /**
   * The chance of holding the title of each rank: 98 % at the top, then a power-law tail whose knee a
   * deeper cache pushes further down the ranks (at depth 1: 42 % at rank 100, 2.5 % at rank 2,000).
   */
  private thresholdsFor(depth: number): Float64Array {
    let thresholds = this.thresholdsByDepth.get(depth);
    if (!thresholds) {
      thresholds = Float64Array.from(
        { length: this.titles.count },
        (_, rank) => TWO_TO_32 * 0.98 * (1 + rank / (100 * depth)) ** -1.2,
      );
      this.thresholdsByDepth.set(depth, thresholds);
    }
    return thresholds;
  }

  /** Every title, for an origin. */
  fillAll(cache: TitleSet): number {
    let usedBytes = 0;
    for (let title = 0; title < this.titles.count; title++) {
      cache.add(title);
      usedBytes += this.titles.sizeBytes[title]!;
    }
    return usedBytes;
  }
}

/** Bigger boxes and exchanges keep more of the long tail. */
function cacheDepth(siteType: SiteType, capacityGbps: number): number {
  if (siteType === 'INTERNET_EXCHANGE') return 2.5;
  return capacityGbps >= 100 ? 1.4 : capacityGbps >= 40 ? 1 : 0.6;
}

function buildAppliance(applianceId: string, site: Site, cache: TitleSet, draws: CacheDraws): Appliance {
  const random = new SeededRandom(`appliance:${applianceId}`);
  const isOrigin = site.siteType === 'ORIGIN';
  const healthy = isOrigin || !random.chance(UNHEALTHY_SHARE);
  const capacityGbps = isOrigin
    ? 400
    : site.siteType === 'INTERNET_EXCHANGE'
      ? 100
      : random.weighted([
          [10, 5],
          [40, 3],
          [100, 2],
        ] as const);
  const load = Math.round((isOrigin ? 0.1 + 0.4 * random.float() : 0.05 + 0.9 * random.float()) * 1000) / 1000;

  const usedBytes = isOrigin
    ? draws.fillAll(cache)
    : draws.fill(cache, cacheDepth(site.siteType, capacityGbps), random);
  const fillFraction = isOrigin ? 0.8 : 0.75 + 0.22 * random.float();
  const capacityBytes = Math.max(
    STORAGE_STEP_BYTES,
    Math.ceil(usedBytes / fillFraction / STORAGE_STEP_BYTES) * STORAGE_STEP_BYTES,
  );

  return {
    applianceId,
    ...site,
    capacityGbps,
    storageCapacityBytes: capacityBytes,
    storageUsedBytes: usedBytes,
    load,
    healthy,
    cachedTitles: cache,
  };
}
