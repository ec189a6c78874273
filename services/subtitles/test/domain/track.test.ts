import { InvalidArgumentError } from '@streamplane/platform/errors';
import { KIND_CODES, TRACK_KINDS, formatTrackId, parseTrackId, tracksForTitle } from '../../src/domain';
import { expectThrows, titleId } from './helpers';

describe('track ids', () => {
  it('are "<title_id>-<language>-<kind code>" as the proto documents', () => {
    expect(formatTrackId('tt00001', 'en', 'CLOSED_CAPTIONS')).toBe('tt00001-en-cc');
    expect(formatTrackId('tt00001', 'en', 'SUBTITLES')).toBe('tt00001-en-sub');
    expect(formatTrackId('tt00001', 'en', 'FORCED_NARRATIVE')).toBe('tt00001-en-fn');
    expect(formatTrackId('tt00042', 'es-419', 'SUBTITLES')).toBe('tt00042-es-419-sub');
    expect(formatTrackId('tt00042', 'zh-Hans', 'FORCED_NARRATIVE')).toBe('tt00042-zh-Hans-fn');
  });

  it('have a distinct code per kind', () => {
    expect(new Set(TRACK_KINDS.map((kind) => KIND_CODES[kind])).size).toBe(TRACK_KINDS.length);
  });

  it('parse back into their parts, also when the language has subtags', () => {
    expect(parseTrackId('tt00001-en-cc')).toEqual({ titleId: 'tt00001', language: 'en', kind: 'CLOSED_CAPTIONS' });
    expect(parseTrackId('tt00042-es-419-sub')).toEqual({ titleId: 'tt00042', language: 'es-419', kind: 'SUBTITLES' });
    expect(parseTrackId('tt00007-zh-Hans-fn')).toEqual({
      titleId: 'tt00007',
      language: 'zh-Hans',
      kind: 'FORCED_NARRATIVE',
    });
  });

  it('round-trip for every generated track of the first 300 titles', () => {
    for (let n = 1; n <= 300; n++) {
      for (const track of tracksForTitle(titleId(n))) {
        const parsed = parseTrackId(track.trackId);
        expect(parsed).toEqual({ titleId: track.titleId, language: track.language, kind: track.kind });
        expect(formatTrackId(parsed.titleId, parsed.language, parsed.kind)).toBe(track.trackId);
      }
    }
  });

  it.each([
    ['', 'must not be empty'],
    ['tt00001', 'is not a track id'],
    ['tt00001-en', 'is not a track id'],
    ['tt00001-en-xx', 'is not a track id'],
    ['tt00001-en-CC', 'is not a track id'],
    ['tt00001--cc', 'is not a track id'],
    ['tt00001-e-cc', 'is not a track id'],
    ['tt00001-english!-sub', 'is not a track id'],
    ['-en-cc', 'is not a track id'],
    ['tt 00001-en-cc', 'is not a track id'],
  ])('rejects %j with InvalidArgumentError naming track_id', (id, reason) => {
    const error = expectThrows(() => parseTrackId(id), InvalidArgumentError, 'track_id: ', reason);
    expect((error as InvalidArgumentError).field).toBe('track_id');
  });
});
