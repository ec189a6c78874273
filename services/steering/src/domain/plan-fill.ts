import { byApplianceId, freeStorageBytes, type Appliance } from './appliance';
import type { TitleCatalog } from './titles';

/** One title recommendations expects to be played in a region. */
export interface DemandPrediction {
  readonly titleId: string;
  readonly expectedPlays: number;
}

/** The titles to copy onto one appliance, most demanded first, and their total size. */
export interface FillEntry {
  readonly applianceId: string;
  readonly titleIds: string[];
  bytes: number;
}

/** How many appliances of a region receive a copy of one predicted title, at most. */
export const DEFAULT_COPIES_PER_TITLE = 8;

/**
 * A proactive cache-fill plan (computed, never applied). Policy:
 * - targets are the region's healthy appliances other than origins (origins hold everything);
 * - titles are taken most demanded first (expected_plays descending, ties by title id); a title with no
 *   expected plays, one the catalog does not have, or a repeat of an earlier prediction is skipped;
 * - each title goes to at most `copiesPerTitle` targets that do not hold it and still have room for it,
 *   those with the most free storage left first (ties by appliance id), and uses up that room: so no
 *   entry ever exceeds its appliance's free storage, and when space runs out it is the least demanded
 *   titles that are left out.
 * The plan has one entry per appliance receiving a title, ordered by appliance id, so its size is bounded
 * by predictions × copiesPerTitle.
 */
export function planCacheFill(
  demand: readonly DemandPrediction[],
  regionAppliances: readonly Appliance[],
  titles: TitleCatalog,
  copiesPerTitle = DEFAULT_COPIES_PER_TITLE,
): FillEntry[] {
  const targets = regionAppliances
    .filter((appliance) => appliance.healthy && appliance.siteType !== 'ORIGIN')
    .sort(byApplianceId);
  const freeBytes = targets.map(freeStorageBytes);
  const entries: (FillEntry | undefined)[] = new Array(targets.length);

  for (const { title, titleId } of mostDemandedFirst(demand, titles)) {
    const size = titles.sizeBytes[title]!;
    for (const target of roomiestWithout(title, size, targets, freeBytes, copiesPerTitle)) {
      freeBytes[target]! -= size;
      const entry = (entries[target] ??= { applianceId: targets[target]!.applianceId, titleIds: [], bytes: 0 });
      entry.titleIds.push(titleId);
      entry.bytes += size;
    }
  }
  return entries.filter((entry): entry is FillEntry => entry !== undefined);
}

function mostDemandedFirst(
  demand: readonly DemandPrediction[],
  titles: TitleCatalog,
): { title: number; titleId: string }[] {
  const seen = new Set<string>();
  return demand
    .filter((prediction) => prediction.expectedPlays > 0)
    .sort((a, b) => b.expectedPlays - a.expectedPlays || (a.titleId < b.titleId ? -1 : a.titleId > b.titleId ? 1 : 0))
    .flatMap(({ titleId }) => {
      const title = titles.indexOf(titleId);
      if (title === undefined || seen.has(titleId)) return [];
      seen.add(titleId);
      return [{ title, titleId }];
    });
}

/**
 * Up to `count` targets (indexes) lacking the title with room for it, most free storage first; among
 * equals the earlier target, that is the smaller appliance id. One pass, keeping the best `count`.
 */
function roomiestWithout(
  title: number,
  size: number,
  targets: readonly Appliance[],
  freeBytes: readonly number[],
  count: number,
): number[] {
  const chosen: number[] = [];
  for (let target = 0; target < targets.length; target++) {
    const free = freeBytes[target]!;
    if (free < size || targets[target]!.cachedTitles.has(title)) continue;
    if (chosen.length === count && free <= freeBytes[chosen[count - 1]!]!) continue;
    let at = chosen.length;
    while (at > 0 && freeBytes[chosen[at - 1]!]! < free) at--;
    chosen.splice(at, 0, target);
    if (chosen.length > count) chosen.pop();
  }
  return chosen;
}
