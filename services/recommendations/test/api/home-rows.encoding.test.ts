import { SERVICES } from '@streamplane/contracts';
import type { GetHomeRowsResponse } from '@streamplane/contracts/recommendations/v1';
import { loadProtos, messageCodec } from '@streamplane/platform';
import type { MessageTypeDefinition } from '@grpc/proto-loader';
import type { HomeRowsAnswer } from '../../src/application/home-rows';
import { HomeRowsEncoding } from '../../src/api/home-rows.encoding';
import { toRowHeading, toRowTitle } from '../../src/api/recommendations.mappers';
import { aTitle } from '../application/fakes';

const protos = loadProtos([SERVICES.recommendations.protoFile]).definition;
const RESPONSE = 'streamplane.recommendations.v1.GetHomeRowsResponse';
const decode = (bytes: Buffer) =>
  (protos[RESPONSE] as MessageTypeDefinition<object, GetHomeRowsResponse>).deserialize(bytes);

const crown = aTitle({
  title_id: 'tt00001',
  name: 'The Silent Crown',
  genres: ['drama', 'history'],
  available_countries: ['DE', 'GB', 'US'],
  synopsis: 'A long synopsis that only the title page shows.',
  localized_names: { de: 'Die stille Krone' },
});
const harbour = aTitle({ title_id: 'tt00002', available_countries: ['DE', 'US'], synopsis: 'Another.' });

const answer: HomeRowsAnswer = {
  rows: [
    {
      rowId: 'continue-watching',
      title: 'Continue watching',
      kind: 'CONTINUE_WATCHING',
      genre: '',
      titles: [harbour],
      resumePositionSeconds: { tt00002: 1_234 },
    },
    {
      rowId: 'genre-drama',
      title: 'Drama',
      kind: 'GENRE',
      genre: 'drama',
      titles: [crown, harbour],
      resumePositionSeconds: {},
    },
  ],
  degraded: false,
};

describe('GetHomeRows answers in wire form', () => {
  test('decode to exactly what encoding the whole message would have sent', () => {
    const encoding = new HomeRowsEncoding(protos);
    const whole = messageCodec(protos, RESPONSE).encode({
      rows: answer.rows.map((row) => ({
        ...toRowHeading(row),
        titles: row.titles.map((title) => toRowTitle(title, 'US')),
      })),
      degraded: false,
    });
    expect(decode(encoding.encode(answer, 'US').bytes)).toEqual(decode(whole));
  });

  test('carry each title trimmed to what a row shows the viewer: its availability there, no synopsis, one name', () => {
    const decoded = decode(new HomeRowsEncoding(protos).encode(answer, 'US').bytes);
    expect(decoded.rows[1]!.titles[0]).toEqual({
      ...crown,
      available_countries: ['US'],
      synopsis: '',
      localized_names: {},
    });
    expect(decoded.rows[0]).toMatchObject({
      row_id: 'continue-watching',
      kind: 'ROW_KIND_CONTINUE_WATCHING',
      resume_position_seconds: { tt00002: 1_234 },
    });
    expect(decoded.degraded).toBe(false);
    // The snapshot's title itself is left as it was.
    expect(crown.available_countries).toEqual(['DE', 'GB', 'US']);
    expect(crown.localized_names).toEqual({ de: 'Die stille Krone' });
  });

  test('encode a title once per country, and never give one country’s availability to another', () => {
    const encoding = new HomeRowsEncoding(protos);
    const first = encoding.encode(answer, 'US').bytes;
    expect(encoding.encode(answer, 'US').bytes).toEqual(first);
    const inGermany = decode(encoding.encode(answer, 'DE').bytes);
    expect(inGermany.rows.flatMap((row) => row.titles.map((title) => title.available_countries))).toEqual([
      ['DE'],
      ['DE'],
      ['DE'],
    ]);
    expect(decode(encoding.encode(answer, 'US').bytes).rows[1]!.titles[1]!.available_countries).toEqual(['US']);
  });

  test('flag a degraded answer, and send no rows when there are none', () => {
    const decoded = decode(new HomeRowsEncoding(protos).encode({ rows: [], degraded: true }, 'US').bytes);
    expect(decoded).toEqual({ rows: [], degraded: true });
  });
});
