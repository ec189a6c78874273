import type { Clock } from '@streamplane/platform/clock';
import { ManualClock } from '@streamplane/testkit';
import { InMemoryRegionRotationStore } from '../../src/adapters/in-memory-region-rotation.store';
import {
  DEFAULT_FLEET_SIZE,
  DEFAULT_TITLE_COUNT,
  Fleet,
  generateFleet,
  STREAMPLANE_ASN,
  Steering,
  TitleCatalog,
  TitleSet,
  type Appliance,
  type SiteType,
} from '../../src/domain';

export const CDN_SECRET = 'a-test-cdn-secret-of-some-length';
export const NOW = new Date('2026-03-01T12:00:00.250Z');

let seeded: Fleet | undefined;

/** The default seeded fleet (17,000 appliances, 2,000 titles), built once per test file. */
export function seededFleet(): Fleet {
  if (!seeded) {
    const titles = new TitleCatalog(DEFAULT_TITLE_COUNT);
    seeded = new Fleet(generateFleet(DEFAULT_FLEET_SIZE, titles), titles);
  }
  return seeded;
}

export function steeringOver(fleet: Fleet, clock: Clock = new ManualClock(NOW)): Steering {
  return new Steering(fleet, new InMemoryRegionRotationStore(), { cdnSecret: CDN_SECRET, clock });
}

/** Titles of the hand-built fleets: tt00001 … tt00100. */
export const SMALL_CATALOG = new TitleCatalog(100);

export interface ApplianceSpec {
  id: string;
  region?: string;
  country?: string;
  siteType?: SiteType;
  asn?: number;
  load?: number;
  healthy?: boolean;
  /** Title ids cached; origins default to every title, others to none. */
  titles?: string[];
  freeBytes?: number;
}

/** An appliance of a hand-built fleet: us-east, US, embedded in ISP 20250, healthy, idle, 1 TB free. */
export function appliance(spec: ApplianceSpec): Appliance {
  const siteType = spec.siteType ?? 'EMBEDDED_ISP';
  const titleIndexes = spec.titles
    ? spec.titles.map((id) => SMALL_CATALOG.indexOf(id)!)
    : siteType === 'ORIGIN'
      ? Array.from({ length: SMALL_CATALOG.count }, (_, index) => index)
      : [];
  const usedBytes = titleIndexes.reduce((sum, title) => sum + SMALL_CATALOG.sizeBytes[title]!, 0);
  return {
    applianceId: spec.id,
    region: spec.region ?? 'us-east',
    country: spec.country ?? 'US',
    asn: spec.asn ?? (siteType === 'EMBEDDED_ISP' ? 20250 : STREAMPLANE_ASN),
    siteType,
    capacityGbps: 40,
    storageCapacityBytes: usedBytes + (spec.freeBytes ?? 1e12),
    storageUsedBytes: usedBytes,
    load: spec.load ?? 0,
    healthy: spec.healthy ?? true,
    cachedTitles: TitleSet.of(SMALL_CATALOG.count, titleIndexes),
  };
}

export function smallFleet(specs: ApplianceSpec[]): Fleet {
  return new Fleet(specs.map(appliance), SMALL_CATALOG);
}
