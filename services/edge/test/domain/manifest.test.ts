import { parse } from 'mpd-parser';
import { renderManifest, renditionId, segmentBytes, segmentCount, SEGMENT_SECONDS, titleMedia } from '../../src/domain';
import { LADDER } from '../fixtures';

const QUERY = 'expires=1893456000&sig=' + 'ab'.repeat(32);
const MANIFEST_URI = `https://oca-us-east-00001.oca.streamplane.example/titles/tt00042?${QUERY}`;

describe('the DASH manifest, read by mpd-parser', () => {
  const media = titleMedia('tt00042', 93, LADDER);
  const parsed = parse(renderManifest(media, QUERY), { manifestUri: MANIFEST_URI });

  it('has one representation per rung of the ladder, with its bandwidth, size and codec', () => {
    expect(parsed.playlists.map((playlist) => playlist.attributes)).toEqual(
      LADDER.map((rung) =>
        expect.objectContaining({
          NAME: renditionId(rung),
          BANDWIDTH: rung.bitrateKbps * 1000,
          RESOLUTION: { width: rung.width, height: rung.height },
          CODECS: expect.stringMatching(rung.codec === 'h264' ? /^avc1\./ : /^hvc1\./),
        }),
      ),
    );
  });

  it('lasts the runtime, in ceil(runtime / 4 s) segments of 4 s numbered from 1', () => {
    expect(parsed.duration).toBe(93 * 60);
    const expectedCount = Math.ceil((93 * 60) / SEGMENT_SECONDS);
    expect(segmentCount(media)).toBe(expectedCount);
    for (const playlist of parsed.playlists) {
      expect(playlist.segments).toHaveLength(expectedCount);
      expect(playlist.segments.map((segment) => Number(/\/(\d+)\.m4s\?/.exec(segment.uri)?.[1]))).toEqual(
        Array.from({ length: expectedCount }, (_, index) => index + 1),
      );
      expect(new Set(playlist.segments.map((segment) => segment.duration))).toEqual(new Set([SEGMENT_SECONDS]));
    }
  });

  it('points at the init and media segments of each rendition on the same appliance, signed alike', () => {
    const [first] = parsed.playlists;
    const id = renditionId(LADDER[0]!);
    const base = 'https://oca-us-east-00001.oca.streamplane.example/titles/tt00042';
    expect(first!.segments[0]!.map!.resolvedUri).toBe(`${base}/${id}/init.mp4?${QUERY}`);
    expect(first!.segments[0]!.resolvedUri).toBe(`${base}/${id}/1.m4s?${QUERY}`);
    expect(first!.segments.at(-1)!.resolvedUri).toBe(`${base}/${id}/${segmentCount(media)}.m4s?${QUERY}`);
  });

  it('sizes a segment as bitrate × its duration, a shorter last one included', () => {
    const odd = titleMedia('tt00043', 1, LADDER); // 60 s: 15 segments of exactly 4 s
    const rendition = odd.renditions[3]!; // 5,800 kbps
    expect(segmentBytes(odd, rendition, 1)).toBe((5_800_000 * 4) / 8);
    const shortLast = { ...odd, durationSeconds: 61 };
    expect(segmentCount(shortLast)).toBe(16);
    expect(segmentBytes(shortLast, rendition, 16)).toBe(5_800_000 / 8);
  });

  it('names renditions stably and refuses a ladder with two rungs of one id', () => {
    expect(media.renditions.map((rendition) => rendition.id)).toEqual([
      'h264-240p-235',
      'h264-480p-1050',
      'h264-720p-3000',
      'h264-1080p-5800',
      'hevc-1080p-5000-hdr',
      'hevc-2160p-16800-hdr',
    ]);
    expect(() => titleMedia('tt1', 90, [LADDER[0]!, LADDER[0]!])).toThrow('two rungs with one id');
  });
});
