import { buildEncodingLadder, complexityFactor, generateCatalog, shapeBitrate } from '../../src/domain';
import type { Rendition } from '../../src/domain';

const ladder = (complexity: number, hdrAvailable = false) => buildEncodingLadder({ complexity, hdrAvailable });
const sdr = (renditions: Rendition[]) => renditions.filter((r) => !r.hdr);
const hdr = (renditions: Rendition[]) => renditions.filter((r) => r.hdr);
const h264 = (renditions: Rendition[]) => renditions.filter((r) => r.codec === 'h264');
const key = (r: Rendition) => `${r.codec}/${r.hdr ? 'hdr' : 'sdr'}/${r.width}x${r.height}#`;

describe('buildEncodingLadder', () => {
  it('carries the design figures exactly at mid complexity (0.5)', () => {
    expect(ladder(0.5).map((r) => [r.codec, r.width, r.height, r.bitrateKbps, r.hdr])).toEqual([
      ['h264', 320, 240, 235, false],
      ['h264', 384, 288, 375, false],
      ['h264', 512, 384, 560, false],
      ['h264', 512, 384, 750, false],
      ['h264', 640, 480, 1050, false],
      ['h264', 720, 480, 1750, false],
      ['h264', 1280, 720, 2350, false],
      ['h264', 1280, 720, 3000, false],
      ['h264', 1920, 1080, 4300, false],
      ['h264', 1920, 1080, 5800, false],
      ['hevc', 3840, 2160, 16000, false],
    ]);
  });

  it('starts at 235 kbps @ 320×240 for every complexity', () => {
    for (const c of [0, 0.2, 0.5, 0.8, 1]) {
      expect(ladder(c)[0]).toEqual({ codec: 'h264', width: 320, height: 240, bitrateKbps: 235, hdr: false });
      expect(Math.min(...ladder(c, true).map((r) => r.bitrateKbps))).toBe(235);
    }
  });

  it('tops SDR h264 at 1080p and reaches about 16,000 kbps at 2160p', () => {
    for (const c of [0.3, 0.5, 0.7]) {
      const top = h264(ladder(c)).at(-1)!;
      expect([top.width, top.height]).toEqual([1920, 1080]);
      expect(top.bitrateKbps).toBeGreaterThan(5000);
      expect(top.bitrateKbps).toBeLessThan(6700);
      const uhd = sdr(ladder(c)).at(-1)!;
      expect(uhd).toMatchObject({ codec: 'hevc', width: 3840, height: 2160, hdr: false });
      expect(uhd.bitrateKbps).toBeGreaterThan(14000);
      expect(uhd.bitrateKbps).toBeLessThan(18500);
    }
  });

  it('adds HEVC HDR rungs only when the title has HDR', () => {
    for (const c of [0.1, 0.5, 0.9]) {
      expect(hdr(ladder(c, false))).toEqual([]);
      const withHdr = ladder(c, true);
      expect(hdr(withHdr).map((r) => [r.codec, r.height])).toEqual([
        ['hevc', 720],
        ['hevc', 1080],
        ['hevc', 2160],
      ]);
      expect(sdr(withHdr)).toEqual(ladder(c, false));
    }
  });

  it('sorts by height then bitrate, and bitrate rises with the rung within each codec/HDR group', () => {
    for (let c = 0; c <= 1.0001; c += 0.05) {
      for (const withHdr of [false, true]) {
        const renditions = ladder(c, withHdr);
        for (let i = 1; i < renditions.length; i++) {
          const [prev, cur] = [renditions[i - 1]!, renditions[i]!];
          expect(prev.height < cur.height || (prev.height === cur.height && prev.bitrateKbps < cur.bitrateKbps)).toBe(
            true,
          );
        }
        for (const group of [h264(renditions), renditions.filter((r) => r.codec === 'hevc' && r.hdr)]) {
          for (let i = 1; i < group.length; i++)
            expect(group[i]!.bitrateKbps).toBeGreaterThan(group[i - 1]!.bitrateKbps);
        }
        for (const r of renditions) expect(r.bitrateKbps % 5).toBe(0);
      }
    }
  });

  it('gives animation fewer bits than action for the same rung (the floor aside)', () => {
    const animation = ladder(0.3, true);
    const action = ladder(0.9, true);
    expect(animation.map(key)).toEqual(action.map(key));
    animation.forEach((rung, i) => {
      if (i === 0) expect(rung.bitrateKbps).toBe(action[i]!.bitrateKbps);
      else expect(rung.bitrateKbps).toBeLessThan(action[i]!.bitrateKbps);
    });
  });

  it('applies the documented formula round5(base × (0.75 + 0.5·c)), clamping complexity to 0..1', () => {
    expect(complexityFactor(0)).toBe(0.75);
    expect(complexityFactor(0.5)).toBe(1);
    expect(complexityFactor(1)).toBe(1.25);
    expect(complexityFactor(7)).toBe(1.25);
    expect(complexityFactor(-1)).toBe(0.75);
    expect(shapeBitrate(4300, 0.8)).toBe(4945);
    expect(shapeBitrate(375, 0)).toBe(280);
    expect(ladder(0.8).find((r) => r.bitrateKbps === 4945)).toMatchObject({ height: 1080 });
  });

  it('is deterministic', () => {
    expect(ladder(0.37, true)).toEqual(ladder(0.37, true));
  });

  it('gives every seeded animation title a cheaper top rung than every action or sci-fi title', () => {
    const titles = generateCatalog();
    const top = (t: (typeof titles)[number]) => h264(buildEncodingLadder(t)).at(-1)!.bitrateKbps;
    const animation = titles.filter((t) => t.genres.includes('animation')).map(top);
    const action = titles
      .filter((t) => !t.genres.includes('animation') && (t.genres.includes('action') || t.genres.includes('sci-fi')))
      .map(top);
    expect(Math.max(...animation)).toBeLessThan(Math.min(...action));
  });
});
