/* eslint-disable no-console -- a benchmark prints its figures */
import { performance } from 'node:perf_hooks';
import { systemClock } from '@streamplane/platform/clock';
import { homeRegionOf, LOCAL_DEVELOPMENT_SECRET } from '@streamplane/streaming';
import { InMemoryRegionRotationStore } from './adapters/in-memory-region-rotation.store';
import { Fleet, generateFleet, Steering, TitleCatalog, type Appliance } from './domain';

/**
 * Steering's ranking measured in process (17,000 appliances), indexed against a scan of the whole fleet
 * that applies the same rules: the public entry `@streamplane/steering/ranking-benchmark` that
 * `npm run bench` runs, so that the benchmark never reaches into steering's internals.
 */

/** The ranking rules applied by looking at every appliance: what the indexes save. */
function rankByScanning(fleet: Fleet, title: number, country: string, asn: number, max: number): Appliance[] {
  const region = homeRegionOf(country)!.name;
  const tierOf = (appliance: Appliance): number => {
    if (appliance.siteType === 'EMBEDDED_ISP') return asn !== 0 && appliance.asn === asn ? 0 : -1;
    if (appliance.siteType === 'INTERNET_EXCHANGE') {
      if (appliance.country === country) return 1;
      return appliance.region === region ? 2 : -1;
    }
    return appliance.region === region ? 3 : 4;
  };
  return fleet.appliances
    .filter((appliance) => appliance.healthy && appliance.cachedTitles.has(title) && tierOf(appliance) >= 0)
    .sort((a, b) => tierOf(a) - tierOf(b) || a.load - b.load || a.applianceId.localeCompare(b.applianceId))
    .slice(0, max);
}

/** Prints the in-process figures of steering's ranking: indexed, and by a scan of the whole fleet. */
export function benchSteeringRanking(): void {
  console.log('\n== steering ranking, in process (17,000 appliances) ==');
  const titles = new TitleCatalog(2000);
  const fleet = new Fleet(generateFleet(17_000, titles), titles);
  const steering = new Steering(fleet, new InMemoryRegionRotationStore(), {
    cdnSecret: LOCAL_DEVELOPMENT_SECRET,
    clock: systemClock,
  });
  const clients = Array.from({ length: 1000 }, (_, i) => ({
    titleId: `tt${String(((i * 37) % 2000) + 1).padStart(5, '0')}`,
    client: { country: ['US', 'GB', 'IN', 'JP', 'BR', 'DE'][i % 6]!, asn: i % 3 === 0 ? 0 : 20_250 + (i % 5), ip: '' },
    maxCandidates: 3,
  }));
  let examined = 0;
  const indexedRuns = 50_000;
  let started = performance.now();
  for (let i = 0; i < indexedRuns; i++)
    examined += steering.steerPlayback(clients[i % clients.length]!).appliancesExamined;
  const indexedMicros = ((performance.now() - started) * 1000) / indexedRuns;
  const scanRuns = 500;
  started = performance.now();
  for (let i = 0; i < scanRuns; i++) {
    const request = clients[i % clients.length]!;
    rankByScanning(fleet, titles.indexOf(request.titleId)!, request.client.country, request.client.asn, 3);
  }
  const scanMicros = ((performance.now() - started) * 1000) / scanRuns;
  console.log(
    `indexed ranking (URLs signed)          ${indexedMicros.toFixed(1).padStart(8)} µs/request, ${(examined / indexedRuns).toFixed(0)} appliances examined on average`,
  );
  console.log(
    `full-fleet scan (same rules, unsigned) ${scanMicros.toFixed(1).padStart(8)} µs/request, ${fleet.appliances.length} appliances examined`,
  );
  console.log(`ratio scan / indexed                   ${(scanMicros / indexedMicros).toFixed(1).padStart(8)} ×`);
}
