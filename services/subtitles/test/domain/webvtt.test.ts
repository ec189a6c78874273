import { formatVttTimestamp, parseVttTimestamp, parseWebVtt, renderWebVtt, validateWebVtt } from '../../src/domain';

describe('formatVttTimestamp', () => {
  it.each([
    [0, '00:00:00.000'],
    [1, '00:00:00.001'],
    [59_999, '00:00:59.999'],
    [60_000, '00:01:00.000'],
    [3_599_999, '00:59:59.999'],
    [3_600_000, '01:00:00.000'],
    [10_800_000, '03:00:00.000'],
    [360_000_000, '100:00:00.000'],
  ])('%d ms → %s, and back', (ms, text) => {
    expect(formatVttTimestamp(ms)).toBe(text);
    expect(parseVttTimestamp(text)).toBe(ms);
  });

  it.each([-1, 1.5, Number.NaN, Infinity])('rejects %d', (ms) => {
    expect(() => formatVttTimestamp(ms)).toThrow(RangeError);
  });

  it('parses the short form without hours and rejects malformed stamps', () => {
    expect(parseVttTimestamp('01:02.003')).toBe(62_003);
    for (const bad of ['1:02:03.004', '00:60:00.000', '00:00:60.000', '00:00:00,000', '00:00:00.00']) {
      expect(parseVttTimestamp(bad)).toBeUndefined();
    }
  });
});

describe('validateWebVtt', () => {
  const valid = [
    'WEBVTT',
    '',
    'NOTE made by hand',
    '',
    '1',
    '00:00:01.000 --> 00:00:02.500',
    'Hello &amp; welcome.',
    '',
    '00:00:03.000 --> 00:00:04.000 line:10%',
    '- One',
    '- Two',
    '',
  ].join('\n');

  it('accepts a valid document, with or without cue ids and settings, LF or CRLF', () => {
    expect(validateWebVtt(valid)).toEqual([]);
    expect(validateWebVtt(valid.replace(/\n/g, '\r\n'))).toEqual([]);
    const { cues } = parseWebVtt(valid);
    expect(cues).toEqual([
      { id: '1', startMs: 1000, endMs: 2500, settings: '', lines: ['Hello &amp; welcome.'] },
      { id: '', startMs: 3000, endMs: 4000, settings: 'line:10%', lines: ['- One', '- Two'] },
    ]);
  });

  it.each([
    ['a missing WEBVTT line', valid.replace('WEBVTT', 'WEBVT'), 'WEBVTT'],
    ['text glued to WEBVTT', valid.replace('WEBVTT', 'WEBVTTX'), 'WEBVTT'],
    ['no blank line after the header', valid.replace('WEBVTT\n\nNOTE made by hand\n\n', 'WEBVTT\n'), 'blank line'],
    ['a malformed timing', valid.replace('00:00:01.000 -->', '0:0:1 -->'), 'malformed cue timing'],
    ['a comma as decimal sign', valid.replace('00:00:02.500', '00:00:02,500'), 'malformed cue timing'],
    ['a cue ending before its start', valid.replace('00:00:02.500', '00:00:00.500'), 'ends at or before'],
    ['a cue without text', valid.replace('Hello &amp; welcome.\n', ''), 'has no text'],
    ['an unescaped ampersand', valid.replace('&amp;', '&'), 'unescaped'],
    ['overlapping cues', valid.replace('00:00:03.000 -->', '00:00:02.000 -->'), 'overlaps'],
    ['cues out of order', valid.replace('00:00:03.000 --> 00:00:04.000', '00:00:00.100 --> 00:00:00.200'), 'before'],
    ['duplicate ids', valid.replace('\n00:00:03.000', '\n1\n00:00:03.000'), 'duplicate cue id'],
    ['a block without timing', `${valid}\njust text\n`, 'expected a cue timing line'],
  ])('reports %s', (_what, content, problem) => {
    const problems = validateWebVtt(content);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toContain(problem);
  });

  it('checks cues against the runtime when one is given', () => {
    expect(validateWebVtt(valid, { runtimeMs: 4000 })).toEqual([]);
    expect(validateWebVtt(valid, { runtimeMs: 3999 }).join('\n')).toContain('after the runtime');
  });
});

describe('renderWebVtt', () => {
  it('writes what the validator accepts and escapes cue text and notes', () => {
    const content = renderWebVtt(
      [
        { id: '1', startMs: 0, endMs: 1000, lines: ['Tom & Jerry <3'] },
        { id: '2', startMs: 1000, endMs: 2000, lines: ['two', 'lines'] },
      ],
      'A --> B\nC',
    );
    expect(content.startsWith('WEBVTT\n\n')).toBe(true);
    expect(content).toContain('Tom &amp; Jerry &lt;3');
    expect(content).toContain('NOTE A -> B C');
    expect(validateWebVtt(content)).toEqual([]);
  });
});
