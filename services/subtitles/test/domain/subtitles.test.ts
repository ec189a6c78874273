import { InvalidArgumentError, NotFoundError } from '@streamplane/platform/errors';
import {
  DEFAULT_PAGE_SIZE,
  ENGLISH,
  MAX_DIALOGUE_CUES,
  MAX_FORCED_CUES,
  MAX_OTHER_LANGUAGES,
  MAX_PAGE_SIZE,
  MIN_OTHER_LANGUAGES,
  OTHER_LANGUAGES,
  TRACK_KINDS,
  getTrack,
  listTracks,
  parseWebVtt,
  tracksForTitle,
  validateWebVtt,
} from '../../src/domain';
import type { ListTracksRequest, SubtitleTrack, TitleFacts, TrackKind } from '../../src/domain';
import { expectThrows, titleId } from './helpers';
import { withoutRandomnessOrClock } from '@streamplane/testkit';

const TITLES = Array.from({ length: 2000 }, (_, i) => titleId(i + 1));
const facts = (id: string, runtimeMinutes = 95): TitleFacts => ({ titleId: id, name: `Title ${id}`, runtimeMinutes });
const ids = (tracks: readonly SubtitleTrack[]) => tracks.map((t) => t.trackId);

/** The first title (by id) whose tracks satisfy `predicate`. */
function findTitle(predicate: (tracks: SubtitleTrack[]) => boolean): string {
  const found = TITLES.find((id) => predicate(tracksForTitle(id)));
  if (!found) throw new Error('no seed title matches');
  return found;
}
const hasKind = (kind: TrackKind) => (tracks: SubtitleTrack[]) => tracks.some((t) => t.kind === kind);
const FORCED_TITLE = findTitle(hasKind('FORCED_NARRATIVE'));
const PLAIN_TITLE = findTitle((tracks) => !hasKind('FORCED_NARRATIVE')(tracks));

function walk(title: TitleFacts, request: Omit<ListTracksRequest, 'pageToken'>): SubtitleTrack[][] {
  const pages: SubtitleTrack[][] = [];
  let pageToken = '';
  do {
    const page = listTracks(title, { ...request, pageToken });
    pages.push(page.tracks);
    pageToken = page.nextPageToken;
    expect(pages.length).toBeLessThan(1000);
  } while (pageToken !== '');
  return pages;
}

describe('tracksForTitle', () => {
  it('is deterministic and never uses Math.random or the clock', () => {
    withoutRandomnessOrClock(() => {
      for (const id of TITLES.slice(0, 50)) expect(tracksForTitle(id)).toEqual(tracksForTitle(id));
      const track = tracksForTitle('tt00001')[0]!;
      expect(getTrack(track.trackId, facts('tt00001'))).toEqual(getTrack(track.trackId, facts('tt00001')));
    });
  });

  it('differs between titles', () => {
    const distinct = new Set(
      TITLES.slice(0, 100).map((id) =>
        tracksForTitle(id)
          .map((t) => t.language)
          .join(),
      ),
    );
    expect(distinct.size).toBeGreaterThan(90);
  });

  it('gives every title English subtitles and English closed captions', () => {
    for (const id of TITLES) {
      const tracks = tracksForTitle(id);
      expect(tracks).toContainEqual({
        trackId: `${id}-en-sub`,
        titleId: id,
        language: 'en',
        kind: 'SUBTITLES',
        label: 'English',
        format: 'text/vtt',
      });
      expect(tracks).toContainEqual({
        trackId: `${id}-en-cc`,
        titleId: id,
        language: 'en',
        kind: 'CLOSED_CAPTIONS',
        label: 'English [CC]',
        format: 'text/vtt',
      });
    }
  });

  it('adds 3–12 other languages, each with subtitles, spread over the whole range and language list', () => {
    const counts = new Set<number>();
    const used = new Set<string>();
    for (const id of TITLES) {
      const tracks = tracksForTitle(id);
      const others = [...new Set(tracks.map((t) => t.language))].filter((language) => language !== 'en');
      expect(others.length).toBeGreaterThanOrEqual(MIN_OTHER_LANGUAGES);
      expect(others.length).toBeLessThanOrEqual(MAX_OTHER_LANGUAGES);
      counts.add(others.length);
      for (const language of others) {
        used.add(language);
        expect(tracks.some((t) => t.language === language && t.kind === 'SUBTITLES')).toBe(true);
      }
    }
    expect([...counts].sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect([...used].sort()).toEqual(OTHER_LANGUAGES.map((l) => l.tag).sort());
  });

  it('gives some titles forced narratives, always with an English one, and closed captions only where sounds exist', () => {
    let forced = 0;
    for (const id of TITLES) {
      const tracks = tracksForTitle(id);
      if (tracks.some((t) => t.kind === 'FORCED_NARRATIVE')) {
        forced++;
        expect(tracks.map((t) => t.trackId)).toContain(`${id}-en-fn`);
      }
      for (const track of tracks.filter((t) => t.kind === 'CLOSED_CAPTIONS')) {
        const language = [ENGLISH, ...OTHER_LANGUAGES].find((l) => l.tag === track.language)!;
        expect(language.sounds).toBeDefined();
      }
    }
    expect(forced).toBeGreaterThan(TITLES.length * 0.15);
    expect(forced).toBeLessThan(TITLES.length * 0.45);
  });

  it('orders by language, then kind, with unique ids and labels per language and kind', () => {
    for (const id of TITLES.slice(0, 300)) {
      const tracks = tracksForTitle(id);
      expect(new Set(ids(tracks)).size).toBe(tracks.length);
      const keys = tracks.map((t) => [t.language.toLowerCase(), TRACK_KINDS.indexOf(t.kind)] as const);
      const sorted = [...keys].sort(([la, ka], [lb, kb]) => (la < lb ? -1 : la > lb ? 1 : ka - kb));
      expect(keys).toEqual(sorted);
      for (const track of tracks) {
        const suffix = { SUBTITLES: '', CLOSED_CAPTIONS: ' [CC]', FORCED_NARRATIVE: ' [Forced]' }[track.kind];
        expect(track.label.endsWith(suffix)).toBe(true);
        expect(track.label.length).toBeGreaterThan(suffix.length);
        expect(track.format).toBe('text/vtt');
        expect(track.titleId).toBe(id);
      }
    }
    const labels = new Map(tracksForTitle('tt00001').map((t) => [t.trackId, t.label]));
    expect(labels.get('tt00001-es-419-sub')).toBe('Español (Latinoamérica)');
    expect(labels.get('tt00001-es-419-cc')).toBe('Español (Latinoamérica) [CC]');
  });
});

describe('listTracks', () => {
  const title = facts('tt00001');
  const all = tracksForTitle('tt00001');

  it('returns every track, in order, without content, on one default-sized page', () => {
    const page = listTracks(title, { languages: [], pageToken: '' });
    expect(page.tracks).toEqual(all);
    expect(page.nextPageToken).toBe('');
    expect(DEFAULT_PAGE_SIZE).toBeGreaterThanOrEqual(all.length);
    for (const track of page.tracks) expect(track).not.toHaveProperty('content');
  });

  it('matches the primary subtag and whole tags, case-insensitively', () => {
    // tt00001 has es, es-419 and zh-Hans tracks.
    const spanish = listTracks(title, { languages: ['es'], pageToken: '' }).tracks;
    expect(ids(spanish)).toEqual(['tt00001-es-sub', 'tt00001-es-419-sub', 'tt00001-es-419-cc']);
    expect(listTracks(title, { languages: ['ES'], pageToken: '' }).tracks).toEqual(spanish);
    expect(ids(listTracks(title, { languages: ['es-419'], pageToken: '' }).tracks)).toEqual([
      'tt00001-es-419-sub',
      'tt00001-es-419-cc',
    ]);
    expect(ids(listTracks(title, { languages: ['ZH'], pageToken: '' }).tracks)).toEqual(['tt00001-zh-Hans-sub']);
    expect(ids(listTracks(title, { languages: ['en-GB'], pageToken: '' }).tracks)).toEqual([]);
    expect(listTracks(title, { languages: ['es-MX'], pageToken: '' }).tracks).toEqual([]);
  });

  it('"en" matches every English track, and a several-entry filter keeps the list order', () => {
    for (const id of TITLES.slice(0, 100)) {
      const english = listTracks(facts(id), { languages: ['en'], pageToken: '' }).tracks;
      expect(english.length).toBeGreaterThanOrEqual(2);
      expect(english.every((t) => t.language === 'en')).toBe(true);
      expect(english).toEqual(tracksForTitle(id).filter((t) => t.language === 'en'));
    }
    const mixed = listTracks(title, { languages: ['zh', 'EN', 'es-419', 'en'], pageToken: '' }).tracks;
    expect(mixed).toEqual(all.filter((t) => ['en', 'es-419', 'zh-Hans'].includes(t.language)));
  });

  // Malformed language filters and page sizes are the api's to reject: test/api/subtitles.controller.test.ts.

  it('rejects an empty or unusable title id', () => {
    expectThrows(() => listTracks(facts(''), { languages: [], pageToken: '' }), InvalidArgumentError, 'title_id');
    expectThrows(() => listTracks(facts('tt-1'), { languages: [], pageToken: '' }), InvalidArgumentError, 'title_id');
  });

  it.each([1, 2, 3, 5, MAX_PAGE_SIZE])('walks every track exactly once with page_size %d', (pageSize) => {
    const pages = walk(title, { languages: [], pageSize });
    expect(pages.flat()).toEqual(all);
    expect(pages.length).toBe(Math.ceil(all.length / pageSize));
    for (const page of pages.slice(0, -1)) expect(page.length).toBe(pageSize);
    const filtered = walk(title, { languages: ['es', 'en'], pageSize }).flat();
    expect(filtered).toEqual(all.filter((t) => t.language === 'en' || t.language.startsWith('es')));
  });

  it('binds page tokens to the title and the filter', () => {
    const first = listTracks(title, { languages: ['en', 'es'], pageSize: 1, pageToken: '' });
    expect(first.nextPageToken).not.toBe('');
    // The same filter written differently is the same filter.
    const again = listTracks(title, { languages: ['ES', 'en', 'en'], pageSize: 1, pageToken: first.nextPageToken });
    expect(again.tracks).toHaveLength(1);
    expectThrows(
      () => listTracks(title, { languages: ['en'], pageSize: 1, pageToken: first.nextPageToken }),
      InvalidArgumentError,
      'page_token',
    );
    expectThrows(
      () => listTracks(title, { languages: [], pageSize: 1, pageToken: first.nextPageToken }),
      InvalidArgumentError,
      'page_token',
    );
    expectThrows(
      () => listTracks(facts('tt00002'), { languages: ['en', 'es'], pageSize: 1, pageToken: first.nextPageToken }),
      InvalidArgumentError,
      'page_token',
    );
    expectThrows(
      () => listTracks(title, { languages: [], pageToken: 'not-a-token' }),
      InvalidArgumentError,
      'page_token',
    );
  });
});

describe('getTrack', () => {
  it('returns the listed track plus its content', () => {
    const title = facts('tt00001');
    for (const track of tracksForTitle('tt00001')) {
      const got = getTrack(track.trackId, title);
      const { content, ...summary } = got;
      expect(summary).toEqual(track);
      expect(content.startsWith('WEBVTT\n\n')).toBe(true);
    }
  });

  it('rejects a malformed id with InvalidArgumentError naming track_id', () => {
    for (const id of ['', 'tt00001', 'tt00001-en', 'tt00001-en-xx', 'tt00001-!!-cc']) {
      const error = expectThrows(() => getTrack(id, facts('tt00001')), InvalidArgumentError, 'track_id');
      expect((error as InvalidArgumentError).field).toBe('track_id');
    }
  });

  it('answers NotFound, naming the id, for a language, kind or spelling the title does not have', () => {
    const tracks = tracksForTitle(PLAIN_TITLE);
    const missingLanguage = OTHER_LANGUAGES.find((l) => !tracks.some((t) => t.language === l.tag))!.tag;
    for (const id of [
      `${PLAIN_TITLE}-${missingLanguage}-sub`,
      `${PLAIN_TITLE}-en-fn`,
      `${PLAIN_TITLE}-EN-cc`,
      `${PLAIN_TITLE}-qq-sub`,
    ]) {
      const error = expectThrows(() => getTrack(id, facts(PLAIN_TITLE)), NotFoundError, 'subtitle track', `"${id}"`);
      expect(error).toMatchObject({ resource: 'subtitle track', id });
    }
  });

  it('answers NotFound when the id names another title than the one passed', () => {
    expectThrows(() => getTrack('tt00002-en-cc', facts('tt00001')), NotFoundError, '"tt00002-en-cc"');
  });

  it('content depends only on the track and the title facts', () => {
    const a = getTrack('tt00001-en-sub', facts('tt00001', 100)).content;
    expect(getTrack('tt00001-en-sub', facts('tt00001', 100)).content).toBe(a);
    expect(getTrack('tt00001-en-cc', facts('tt00001', 100)).content).not.toBe(a);
    expect(getTrack('tt00001-en-sub', facts('tt00001', 101)).content).not.toBe(a);
  });
});

describe('track content', () => {
  const runtimes = [1, 2, 22, 95, 180];

  it.each(runtimes)('is valid WebVTT with every cue inside a %d-minute runtime, for every track', (minutes) => {
    // Violations are collected and compared once: an expect per cue would make this test slow.
    const violations: string[] = [];
    for (const id of [...TITLES.slice(0, 20), FORCED_TITLE]) {
      for (const track of tracksForTitle(id)) {
        const { content } = getTrack(track.trackId, facts(id, minutes));
        violations.push(
          ...validateWebVtt(content, { runtimeMs: minutes * 60_000 }).map((p) => `${track.trackId}: ${p}`),
        );
        const { cues } = parseWebVtt(content);
        if (cues.length === 0) violations.push(`${track.trackId}: no cues`);
        cues.forEach((cue, i) => {
          const at = `${track.trackId} cue ${i + 1}`;
          if (cue.startMs < 0 || cue.endMs <= cue.startMs) violations.push(`${at}: bad timing`);
          if (cue.endMs > minutes * 60_000) violations.push(`${at}: ends after the runtime`);
          if (i > 0 && cue.startMs < cues[i - 1]!.endMs) violations.push(`${at}: overlaps`);
          if (cue.lines.join('').trim() === '') violations.push(`${at}: empty`);
        });
      }
    }
    expect(violations).toEqual([]);
  });

  it('has one dialogue cue every ~20–60 s, capped for long films', () => {
    for (const id of TITLES.slice(0, 20)) {
      for (const kind of ['sub', 'cc']) {
        const short = parseWebVtt(getTrack(`${id}-en-${kind}`, facts(id, 1)).content).cues;
        expect(short.length).toBeGreaterThanOrEqual(1);
        expect(short.length).toBeLessThanOrEqual(3);

        const film = parseWebVtt(getTrack(`${id}-en-${kind}`, facts(id, 95)).content).cues;
        expect(film.length).toBeGreaterThanOrEqual((95 * 60) / 60);
        expect(film.length).toBeLessThanOrEqual((95 * 60) / 20);

        const epic = getTrack(`${id}-en-${kind}`, facts(id, 180)).content;
        const epicCues = parseWebVtt(epic).cues;
        expect(epicCues.length).toBeGreaterThanOrEqual(180);
        expect(epicCues.length).toBeLessThanOrEqual(MAX_DIALOGUE_CUES);
        expect(epic.length).toBeLessThan(40_000);
        // Cues spread over the whole film, not bunched at the start.
        expect(epicCues[epicCues.length - 1]!.startMs).toBeGreaterThan(170 * 60_000);
      }
    }
  });

  it('writes cues as "HH:MM:SS.mmm --> HH:MM:SS.mmm" with numeric ids', () => {
    const content = getTrack('tt00001-en-sub', facts('tt00001', 180)).content;
    const blocks = content.trimEnd().split('\n\n').slice(2);
    blocks.forEach((block, i) => {
      const [id, timing] = block.split('\n');
      expect(id).toBe(String(i + 1));
      expect(timing).toMatch(/^\d{2}:[0-5]\d:[0-5]\d\.\d{3} --> \d{2}:[0-5]\d:[0-5]\d\.\d{3}$/);
    });
    expect(content).toContain('02:5'); // reaches the last ten minutes of a 3-hour film
  });

  it('closed captions describe sounds, subtitles do not', () => {
    for (const id of TITLES.slice(0, 30)) {
      for (const minutes of [1, 95]) {
        const cc = parseWebVtt(getTrack(`${id}-en-cc`, facts(id, minutes)).content).cues;
        expect(cc[0]!.lines[0]).toMatch(/^\[.+\]$/);
        expect(cc.flatMap((c) => c.lines).filter((l) => ENGLISH.sounds!.includes(l)).length).toBeGreaterThan(0);
        const sub = parseWebVtt(getTrack(`${id}-en-sub`, facts(id, minutes)).content).cues;
        expect(sub.flatMap((c) => c.lines).some((l) => l.includes('['))).toBe(false);
      }
    }
    const german = findTitle((tracks) => tracks.some((t) => t.trackId.endsWith('-de-cc')));
    const lines = parseWebVtt(getTrack(`${german}-de-cc`, facts(german)).content).cues.flatMap((c) => c.lines);
    expect(lines.some((l) => l.startsWith('[') && !ENGLISH.sounds!.includes(l))).toBe(true);
  });

  it('is written in the track language', () => {
    const track = tracksForTitle('tt00001').find((t) => t.language === 'zh-Hans')!;
    const text = parseWebVtt(getTrack(track.trackId, facts('tt00001')).content)
      .cues.flatMap((c) => c.lines)
      .join(' ');
    expect(text).toMatch(/\p{Script=Han}/u);
    expect(text).not.toMatch(/[A-Za-z]/);
  });

  it('forced narratives have only a few cues, even for a 3-hour film', () => {
    const fnTracks = tracksForTitle(FORCED_TITLE).filter((t) => t.kind === 'FORCED_NARRATIVE');
    expect(fnTracks.length).toBeGreaterThanOrEqual(1);
    for (const track of fnTracks) {
      for (const minutes of [1, 95, 180]) {
        const { content } = getTrack(track.trackId, facts(FORCED_TITLE, minutes));
        const cues = parseWebVtt(content).cues;
        expect(cues.length).toBeGreaterThanOrEqual(1);
        expect(cues.length).toBeLessThanOrEqual(MAX_FORCED_CUES);
        expect(validateWebVtt(content, { runtimeMs: minutes * 60_000 })).toEqual([]);
      }
    }
  });

  it('names the title and track in a NOTE, and survives hostile names', () => {
    const content = getTrack('tt00001-en-sub', {
      titleId: 'tt00001',
      name: 'A --> B\n\nC & D',
      runtimeMinutes: 5,
    }).content;
    expect(validateWebVtt(content, { runtimeMs: 5 * 60_000 })).toEqual([]);
    expect(content.split('\n')[2]).toBe('NOTE A -> B C & D · English · tt00001-en-sub');
  });

  it('stays valid and inside the runtime for runtimes of a few seconds', () => {
    for (const minutes of [0.01, 0.02, 0.05, 0.1, 0.25]) {
      for (const track of tracksForTitle(FORCED_TITLE)) {
        const { content } = getTrack(track.trackId, facts(FORCED_TITLE, minutes));
        expect(validateWebVtt(content, { runtimeMs: minutes * 60_000 })).toEqual([]);
      }
    }
  });

  it('handles a zero runtime with a header-only document and rejects an invalid one', () => {
    const content = getTrack('tt00001-en-sub', facts('tt00001', 0)).content;
    expect(validateWebVtt(content)).toEqual([]);
    expect(parseWebVtt(content).cues).toEqual([]);
    expect(() => getTrack('tt00001-en-sub', facts('tt00001', -1))).toThrow(RangeError);
    expect(() => getTrack('tt00001-en-sub', facts('tt00001', Number.NaN))).toThrow(RangeError);
  });
});
