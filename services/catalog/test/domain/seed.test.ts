import {
  GENRES,
  MATURITY_RATINGS,
  SEED_COUNTRIES,
  TITLE_TYPES,
  formatTitleId,
  generateCatalog,
} from '../../src/domain';
import type { Title } from '../../src/domain';
import { homeRegionOf } from '@streamplane/streaming';
import { withoutRandomnessOrClock } from '@streamplane/testkit';

describe('generateCatalog', () => {
  const titles = generateCatalog();
  const byId = new Map(titles.map((t) => [t.titleId, t]));
  const fixture = (id: string): Title => byId.get(id)!;

  it('is deterministic: two generations are deeply equal', () => {
    expect(generateCatalog()).toEqual(titles);
  });

  it('returns fresh objects on every call', () => {
    const again = generateCatalog(5);
    again[0]!.genres.push('mutated');
    expect(generateCatalog(5)[0]!.genres).not.toContain('mutated');
  });

  it('never uses Math.random or the clock', () => {
    withoutRandomnessOrClock(() => {
      expect(generateCatalog(300)).toEqual(titles.slice(0, 300));
    });
  });

  it('is prefix-stable: a smaller catalog is the start of a larger one', () => {
    expect(generateCatalog(250)).toEqual(titles.slice(0, 250));
    expect(generateCatalog(2500).slice(0, 2000)).toEqual(titles);
  });

  it('has at least 2,000 titles with ids tt00001 … tt02000 in order', () => {
    expect(titles.length).toBe(2000);
    titles.forEach((title, i) => {
      expect(title.titleId).toMatch(/^tt\d{5}$/);
      expect(title.titleId).toBe(formatTitleId(i + 1));
    });
    expect(titles[0]!.titleId).toBe('tt00001');
    expect(titles[1999]!.titleId).toBe('tt02000');
  });

  it('rejects impossible counts', () => {
    expect(() => generateCatalog(-1)).toThrow(RangeError);
    expect(() => generateCatalog(1.5)).toThrow(RangeError);
    expect(() => generateCatalog(100_000)).toThrow(RangeError);
    expect(generateCatalog(0)).toEqual([]);
  });

  it('gives every title a unique, non-empty name and a synopsis', () => {
    expect(new Set(titles.map((t) => t.name)).size).toBe(titles.length);
    for (const title of titles) {
      expect(title.name.trim()).not.toBe('');
      expect(title.synopsis.length).toBeGreaterThan(20);
    }
  });

  it('names contain common searchable words', () => {
    for (const word of ['Stranger', 'Night', 'Crown', 'Ocean']) {
      expect(titles.filter((t) => t.name.includes(word)).length).toBeGreaterThanOrEqual(10);
    }
  });

  it('uses 15–20 genres, 1–3 distinct known genres per title, and every genre is used', () => {
    expect(GENRES.length).toBeGreaterThanOrEqual(15);
    expect(GENRES.length).toBeLessThanOrEqual(20);
    const used = new Set<string>();
    for (const title of titles) {
      expect(title.genres.length).toBeGreaterThanOrEqual(1);
      expect(title.genres.length).toBeLessThanOrEqual(3);
      expect(new Set(title.genres).size).toBe(title.genres.length);
      for (const genre of title.genres) {
        expect(GENRES).toContain(genre);
        used.add(genre);
      }
    }
    expect([...used].sort()).toEqual([...GENRES]);
  });

  it('uses every title type, and documentaries carry the documentary genre', () => {
    expect(new Set(titles.map((t) => t.type))).toEqual(new Set(TITLE_TYPES));
    for (const title of titles.filter((t) => t.type === 'DOCUMENTARY')) expect(title.genres[0]).toBe('documentary');
  });

  it('derives maturity levels from the rating table and uses every level', () => {
    for (const title of titles) expect(title.maturityLevel).toBe(MATURITY_RATINGS[title.maturityRating]);
    expect(new Set(titles.map((t) => t.maturityLevel))).toEqual(new Set([0, 7, 13, 16, 18]));
  });

  it('keeps maturity consistent with genres: kids low, horror mature', () => {
    const kids = titles.filter((t) => t.genres.includes('kids'));
    const horror = titles.filter((t) => t.genres.includes('horror'));
    expect(kids.length).toBeGreaterThan(20);
    expect(horror.length).toBeGreaterThan(20);
    for (const title of kids) expect(title.maturityLevel).toBeLessThanOrEqual(7);
    for (const title of horror) expect(title.maturityLevel).toBeGreaterThanOrEqual(16);
    const gentle = titles.filter(
      (t) => !t.genres.includes('kids') && (t.genres.includes('animation') || t.genres.includes('family')),
    );
    const low = gentle.filter((t) => t.maturityLevel <= 7).length;
    expect(low / gentle.length).toBeGreaterThan(0.5);
  });

  it('uses film labels for movies and documentaries, TV labels for series and specials', () => {
    for (const title of titles) {
      const tv = title.maturityRating.startsWith('TV-');
      expect(tv).toBe(title.type === 'SERIES' || title.type === 'SPECIAL');
    }
  });

  it('keeps release years in 1950–2026 and runtimes in range for the type', () => {
    for (const title of titles) {
      expect(title.releaseYear).toBeGreaterThanOrEqual(1950);
      expect(title.releaseYear).toBeLessThanOrEqual(2026);
      const [min, max] = title.type === 'MOVIE' ? [80, 180] : title.type === 'DOCUMENTARY' ? [80, 130] : [20, 60];
      expect(title.runtimeMinutes).toBeGreaterThanOrEqual(min);
      expect(title.runtimeMinutes).toBeLessThanOrEqual(max);
    }
    expect(Math.min(...titles.map((t) => t.releaseYear))).toBeLessThan(1960);
    expect(Math.max(...titles.map((t) => t.releaseYear))).toBeGreaterThan(2020);
  });

  it('makes most titles broadly available and a meaningful fraction restricted', () => {
    expect(SEED_COUNTRIES.length).toBe(30);
    for (const code of ['US', 'CA', 'MX', 'BR', 'GB', 'FR', 'DE', 'IN', 'JP', 'KR', 'AU', 'ZA', 'NG', 'AE']) {
      expect(SEED_COUNTRIES).toContain(code);
    }
    for (const title of titles) {
      expect(title.availableCountries.length).toBeGreaterThan(0);
      expect([...title.availableCountries].sort()).toEqual(title.availableCountries);
      expect(new Set(title.availableCountries).size).toBe(title.availableCountries.length);
      for (const country of title.availableCountries) expect(SEED_COUNTRIES).toContain(country);
    }
    const everywhere = titles.filter((t) => t.availableCountries.length === SEED_COUNTRIES.length).length;
    const regional = titles.filter((t) => t.availableCountries.length <= 15).length;
    expect(everywhere / titles.length).toBeGreaterThan(0.5);
    expect(regional / titles.length).toBeGreaterThan(0.12);
    expect(regional / titles.length).toBeLessThan(0.3);
    const notInUs = titles.filter((t) => !t.availableCountries.includes('US')).length;
    expect(notInUs).toBeGreaterThan(100);
  });

  it('has HDR for roughly 40 % of titles', () => {
    const share = titles.filter((t) => t.hdrAvailable).length / titles.length;
    expect(share).toBeGreaterThan(0.3);
    expect(share).toBeLessThan(0.5);
  });

  it('shapes complexity by genre: animation low, action and sci-fi high', () => {
    for (const title of titles) {
      expect(title.complexity).toBeGreaterThanOrEqual(0);
      expect(title.complexity).toBeLessThanOrEqual(1);
      if (title.genres.includes('animation')) {
        expect(title.complexity).toBeGreaterThanOrEqual(0.2);
        expect(title.complexity).toBeLessThanOrEqual(0.4);
      } else if (title.genres.includes('action') || title.genres.includes('sci-fi')) {
        expect(title.complexity).toBeGreaterThanOrEqual(0.7);
      }
    }
  });

  it('has localized names in a few languages for some titles', () => {
    const localized = titles.filter((t) => Object.keys(t.localizedNames).length > 0);
    expect(localized.length / titles.length).toBeGreaterThan(0.2);
    for (const title of localized) {
      expect(Object.keys(title.localizedNames).sort()).toEqual(['de', 'es', 'fr']);
      for (const name of Object.values(title.localizedNames)) expect(name.trim()).not.toBe('');
    }
  });

  it('pins the demo fixtures', () => {
    expect(fixture('tt00001')).toMatchObject({
      name: 'The Silent Crown',
      type: 'MOVIE',
      maturityRating: 'PG-13',
      maturityLevel: 13,
      hdrAvailable: true,
      complexity: 0.5,
      availableCountries: [...SEED_COUNTRIES],
    });
    expect(fixture('tt00001').availableCountries).toContain('US');
    expect(fixture('tt00002')).toMatchObject({ maturityLevel: 0, availableCountries: [...SEED_COUNTRIES] });
    expect(fixture('tt00002').genres).toContain('kids');
    expect(fixture('tt00003')).toMatchObject({ maturityLevel: 18, hdrAvailable: true });
    expect(fixture('tt00004').availableCountries).not.toContain('US');
  });
});

describe('seed countries and the network', () => {
  it('every country the catalog operates in has a home region for steering and demand', () => {
    expect(SEED_COUNTRIES.filter((country) => homeRegionOf(country) === undefined)).toEqual([]);
  });
});
