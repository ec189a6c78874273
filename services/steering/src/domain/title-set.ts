/**
 * The titles cached on one appliance, one bit per title. 17,000 appliances × 2,000 titles take 4.3 MB
 * this way, where Sets of id strings would take over 100 MB. The sets of a fleet share one buffer.
 */
export class TitleSet {
  private count = 0;

  private constructor(private readonly words: Uint32Array) {}

  /** `setCount` empty sets over titles 0 … titleCount-1, backed by a single buffer. */
  static allocate(setCount: number, titleCount: number): TitleSet[] {
    const wordsPerSet = Math.ceil(titleCount / 32);
    const buffer = new ArrayBuffer(setCount * wordsPerSet * Uint32Array.BYTES_PER_ELEMENT);
    return Array.from(
      { length: setCount },
      (_, index) =>
        new TitleSet(new Uint32Array(buffer, index * wordsPerSet * Uint32Array.BYTES_PER_ELEMENT, wordsPerSet)),
    );
  }

  static of(titleCount: number, titles: Iterable<number>): TitleSet {
    const [set] = TitleSet.allocate(1, titleCount);
    for (const title of titles) set!.add(title);
    return set!;
  }

  get size(): number {
    return this.count;
  }

  has(title: number): boolean {
    return (this.words[title >>> 5]! & (1 << (title & 31))) !== 0;
  }

  add(title: number): void {
    if (this.has(title)) return;
    this.words[title >>> 5]! |= 1 << (title & 31);
    this.count += 1;
  }

  /** The titles held by at least one of `sets` (sets over `titleCount` titles). */
  static union(titleCount: number, sets: readonly TitleSet[]): TitleSet {
    const [union] = TitleSet.allocate(1, titleCount);
    const words = union!.words;
    for (const set of sets) for (let word = 0; word < words.length; word++) words[word]! |= set.words[word]!;
    for (let word of words) {
      // Kernighan's bit count: one step per set bit.
      for (; word !== 0; word &= word - 1) union!.count += 1;
    }
    return union!;
  }
}
