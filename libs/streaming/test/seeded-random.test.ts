import { hashString, mulberry32, SeededRandom } from '../src/seeded-random';

describe('seeded randomness', () => {
  it('repeats its sequence for the same seed and differs across seeds', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const seqA = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(seqA);
    expect(Array.from({ length: 5 }, c)).not.toEqual(seqA);
    for (const x of seqA) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });

  it('gives neighbouring string keys unrelated seeds', () => {
    expect(hashString('tt00001')).not.toBe(hashString('tt00002'));
    expect(new SeededRandom('tracks:tt00001').float()).toBe(new SeededRandom('tracks:tt00001').float());
  });

  it('draws within bounds', () => {
    const random = new SeededRandom(7);
    for (let i = 0; i < 200; i++) {
      const n = random.int(3, 5);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(5);
    }
    expect(new Set(random.sample([1, 2, 3, 4], 4)).size).toBe(4);
    expect(['a', 'b']).toContain(
      random.weighted([
        ['a', 1],
        ['b', 3],
      ] as const),
    );
  });
});
