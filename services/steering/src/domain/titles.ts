import { hashString } from '@streamplane/streaming';

/**
 * The titles the fleet caches: `tt00001` … `ttNNNNN`, the ids catalog seeds. Steering never asks catalog
 * about a title: STEERING_TITLE_COUNT must equal catalog's CATALOG_TITLE_COUNT, and what steering needs
 * (a title's size on disk, how popular it is) is derived from the id alone, so every restart and every
 * replica agrees.
 */

export const DEFAULT_TITLE_COUNT = 2000;
/** Bitset caches grow with titles × appliances; beyond this the seed stops being small and fast. */
export const MAX_TITLE_COUNT = 10_000;

const TITLE_ID = /^tt(\d{5,})$/;
/** A title with every rendition of every episode: 4 to 24 GB, in whole megabytes. */
const MIN_TITLE_BYTES = 4e9;
const TITLE_BYTES_RANGE = 20e9;
const MEGABYTE = 1e6;

export function formatTitleId(index: number): string {
  return `tt${String(index + 1).padStart(5, '0')}`;
}

export class TitleCatalog {
  /** Bytes on disk per title index. */
  readonly sizeBytes: Float64Array;
  /** Title indexes, most popular first: the order a cache fills in. */
  readonly byPopularity: Uint32Array;

  constructor(readonly count: number) {
    this.sizeBytes = new Float64Array(count);
    const popularityKey = new Uint32Array(count);
    for (let index = 0; index < count; index++) {
      const id = formatTitleId(index);
      const sizeFraction = hashString(`size:${id}`) / 2 ** 32;
      this.sizeBytes[index] = Math.round((MIN_TITLE_BYTES + sizeFraction * TITLE_BYTES_RANGE) / MEGABYTE) * MEGABYTE;
      popularityKey[index] = hashString(`popularity:${id}`);
    }
    // A hash order, so that popularity is unrelated to how old (how low-numbered) a title is.
    this.byPopularity = Uint32Array.from({ length: count }, (_, index) => index).sort(
      (a, b) => popularityKey[a]! - popularityKey[b]! || a - b,
    );
  }

  /** The index of a title id, or undefined when the id is not one of this catalog's. */
  indexOf(titleId: string): number | undefined {
    const match = TITLE_ID.exec(titleId);
    if (!match) return undefined;
    const index = Number(match[1]) - 1;
    return index >= 0 && index < this.count && formatTitleId(index) === titleId ? index : undefined;
  }

  idOf(index: number): string {
    return formatTitleId(index);
  }
}
