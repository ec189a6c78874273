import type { Rendition, Title } from './title';

/**
 * Per-title encoding ladders, after Netflix's per-title encode optimisation: every title gets the same
 * rungs (resolutions), but the bitrate of each rung is shaped by how hard the title is to encode.
 *
 * Formula: `bitrateKbps = round5(baseKbps × (0.75 + 0.5 × complexity))`, where `round5` rounds to the
 * nearest multiple of 5 kbps. The factor runs from 0.75 (complexity 0) to 1.25 (complexity 1) and is
 * exactly 1 at complexity 0.5, so a mid-complexity title hits the design's figures: 235 kbps at 320×240,
 * 5,800 kbps at 1080p and 16,000 kbps at 2160p. Flat animation (~0.3) gets about 10 % fewer bits,
 * grainy action (~0.85) about 17 % more.
 *
 * The lowest rung is the exception: it stays at 235 kbps @ 320×240 for every title. It exists for the
 * worst networks, so its bitrate is a network constraint, not a quality target. (Every other rung stays
 * above it: the smallest shaped rung is 375 × 0.75 ≈ 280 kbps.)
 *
 * Every title has the SDR rungs (h264 up to 1080p, hevc at 2160p); titles with `hdrAvailable` add hevc
 * HDR rungs at 720p, 1080p and 2160p. Renditions are sorted by height, then bitrate; within one
 * codec/HDR group bitrate rises strictly with the rung.
 */

interface Rung {
  codec: Rendition['codec'];
  width: number;
  height: number;
  baseKbps: number;
  hdr: boolean;
  /** Not shaped by complexity (the network floor). */
  fixed?: boolean;
}

/** The lowest rung, identical for every title. */
export const FLOOR_RUNG: Readonly<Rendition> = Object.freeze({
  codec: 'h264',
  width: 320,
  height: 240,
  bitrateKbps: 235,
  hdr: false,
});

const SDR_RUNGS: readonly Rung[] = [
  { ...FLOOR_RUNG, baseKbps: FLOOR_RUNG.bitrateKbps, fixed: true },
  { codec: 'h264', width: 384, height: 288, baseKbps: 375, hdr: false },
  { codec: 'h264', width: 512, height: 384, baseKbps: 560, hdr: false },
  { codec: 'h264', width: 512, height: 384, baseKbps: 750, hdr: false },
  { codec: 'h264', width: 640, height: 480, baseKbps: 1050, hdr: false },
  { codec: 'h264', width: 720, height: 480, baseKbps: 1750, hdr: false },
  { codec: 'h264', width: 1280, height: 720, baseKbps: 2350, hdr: false },
  { codec: 'h264', width: 1280, height: 720, baseKbps: 3000, hdr: false },
  { codec: 'h264', width: 1920, height: 1080, baseKbps: 4300, hdr: false },
  { codec: 'h264', width: 1920, height: 1080, baseKbps: 5800, hdr: false },
  { codec: 'hevc', width: 3840, height: 2160, baseKbps: 16000, hdr: false },
];

/**
 * HDR rungs (HEVC Main10). HEVC needs roughly a third fewer bits than h264 for the same picture and
 * 10-bit HDR gives some of that back, so 720p/1080p HDR sit a little below their h264 SDR peers; at
 * 2160p HDR carries about 5 % more than HEVC SDR.
 */
const HDR_RUNGS: readonly Rung[] = [
  { codec: 'hevc', width: 1280, height: 720, baseKbps: 2600, hdr: true },
  { codec: 'hevc', width: 1920, height: 1080, baseKbps: 5000, hdr: true },
  { codec: 'hevc', width: 3840, height: 2160, baseKbps: 16800, hdr: true },
];

/** The bitrate multiplier for a complexity in 0..1 (clamped): 0.75 + 0.5 × complexity. */
export function complexityFactor(complexity: number): number {
  const c = Number.isFinite(complexity) ? Math.min(1, Math.max(0, complexity)) : 0.5;
  return 0.75 + 0.5 * c;
}

/** A base bitrate shaped by complexity, rounded to the nearest 5 kbps. */
export function shapeBitrate(baseKbps: number, complexity: number): number {
  return Math.round((baseKbps * complexityFactor(complexity)) / 5) * 5;
}

/** The title's ladder, sorted by height then bitrate. Pure and deterministic. */
export function buildEncodingLadder(title: Pick<Title, 'complexity' | 'hdrAvailable'>): Rendition[] {
  const rungs = title.hdrAvailable ? [...SDR_RUNGS, ...HDR_RUNGS] : SDR_RUNGS;
  const renditions = rungs.map((rung): Rendition => ({
    codec: rung.codec,
    width: rung.width,
    height: rung.height,
    bitrateKbps: rung.fixed ? rung.baseKbps : shapeBitrate(rung.baseKbps, title.complexity),
    hdr: rung.hdr,
  }));
  return renditions.sort((a, b) => a.height - b.height || a.bitrateKbps - b.bitrateKbps);
}
