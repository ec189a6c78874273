import { createHash } from 'node:crypto';
import { segmentKey, type SegmentRef } from './title-media';

/**
 * The bytes of a segment: a block derived from its key, repeated. Deterministic, so a range request, a
 * retry on another appliance and a second play all see the same bytes, and distinct per segment, so a
 * player that mixed up two segments would notice.
 */
const BLOCK_BYTES = 4_096;

export function segmentContent(ref: SegmentRef, start: number, endInclusive: number): Buffer {
  const block = blockOf(ref);
  const offset = start % BLOCK_BYTES;
  const aligned = offset === 0 ? block : Buffer.concat([block.subarray(offset), block.subarray(0, offset)]);
  return Buffer.alloc(endInclusive - start + 1).fill(aligned);
}

function blockOf(ref: SegmentRef): Buffer {
  const key = segmentKey(ref);
  const digests: Buffer[] = [];
  for (let counter = 0; counter * 32 < BLOCK_BYTES; counter++) {
    digests.push(createHash('sha256').update(`${key}#${counter}`).digest());
  }
  return Buffer.concat(digests);
}
