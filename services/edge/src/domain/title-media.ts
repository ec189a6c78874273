/**
 * What the appliance serves of a title: its encoding ladder, each rendition under a stable id, cut into
 * 4-second segments over the title's runtime. Plain rules, no I/O.
 */

export const SEGMENT_SECONDS = 4;

/** Bytes of a rendition's initialisation segment (the ftyp and moov boxes of a real fragmented MP4). */
export const INIT_SEGMENT_BYTES = 1_024;

/** A rung of catalog's encoding ladder, as GetEncodingLadder returns it. */
export interface LadderRung {
  readonly codec: string;
  readonly width: number;
  readonly height: number;
  readonly bitrateKbps: number;
  readonly hdr: boolean;
}

export interface Rendition extends LadderRung {
  /** `<codec>-<height>p-<kbps>`, with `-hdr` for an HDR rung: e.g. `h264-1080p-5800`, `hevc-2160p-16800-hdr`. */
  readonly id: string;
}

export interface TitleMedia {
  readonly titleId: string;
  readonly durationSeconds: number;
  readonly renditions: readonly Rendition[];
}

/**
 * A rendition's id spells what the rung is, so that it is stable for as long as the ladder is (catalog's
 * ladders are seeded), readable in logs and URLs, and unique: no two rungs of a ladder share codec,
 * height, bitrate and dynamic range.
 */
export function renditionId(rung: LadderRung): string {
  return `${rung.codec}-${rung.height}p-${rung.bitrateKbps}${rung.hdr ? '-hdr' : ''}`;
}

export function titleMedia(titleId: string, runtimeMinutes: number, ladder: readonly LadderRung[]): TitleMedia {
  const renditions = ladder.map((rung) => ({ ...rung, id: renditionId(rung) }));
  const ids = new Set(renditions.map((rendition) => rendition.id));
  if (ids.size !== renditions.length) throw new Error(`the ladder of ${titleId} has two rungs with one id`);
  return { titleId, durationSeconds: runtimeMinutes * 60, renditions };
}

export function segmentCount(media: TitleMedia): number {
  return Math.ceil(media.durationSeconds / SEGMENT_SECONDS);
}

/** Seconds of media in segment `number` (from 1): 4, except a shorter last one. */
export function segmentSeconds(media: TitleMedia, number: number): number {
  return Math.min(SEGMENT_SECONDS, media.durationSeconds - (number - 1) * SEGMENT_SECONDS);
}

export function findRendition(media: TitleMedia, id: string): Rendition | undefined {
  return media.renditions.find((rendition) => rendition.id === id);
}

/** One cacheable object: a rendition's init segment (`segment: 'init'`) or media segment n. */
export interface SegmentRef {
  readonly titleId: string;
  readonly renditionId: string;
  readonly segment: 'init' | number;
}

export function segmentKey(ref: SegmentRef): string {
  return `${ref.titleId}/${ref.renditionId}/${ref.segment}`;
}

/** Its size: the init segment's fixed bytes, or bitrate × the segment's duration. */
export function segmentBytes(media: TitleMedia, rendition: Rendition, segment: 'init' | number): number {
  if (segment === 'init') return INIT_SEGMENT_BYTES;
  return Math.round((rendition.bitrateKbps * 1000 * segmentSeconds(media, segment)) / 8);
}

/** Every segment of the first `count` of each rendition, in play order (all renditions of segment 1 first). */
export function leadingSegments(media: TitleMedia, count: number): SegmentRef[] {
  const refs: SegmentRef[] = media.renditions.map((rendition) => ({
    titleId: media.titleId,
    renditionId: rendition.id,
    segment: 'init' as const,
  }));
  for (let number = 1; number <= Math.min(count, segmentCount(media)); number++) {
    for (const rendition of media.renditions)
      refs.push({ titleId: media.titleId, renditionId: rendition.id, segment: number });
  }
  return refs;
}
