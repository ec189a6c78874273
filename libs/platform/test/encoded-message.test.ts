import type { MessageTypeDefinition, ServiceDefinition } from '@grpc/proto-loader';
import { SERVICES } from '@streamplane/contracts';
import { embeddedMessageField, EncodedMessage, messageCodec } from '../src/proto/encoded-message';
import { loadProtos } from '../src/proto/proto-loader';
import { definitionForServing } from '../src/server/serving-definition';

const protos = loadProtos([SERVICES.catalog.protoFile]).definition;
const LIST_TITLES = 'streamplane.catalog.v1.ListTitlesResponse';

describe('answers already in wire form', () => {
  const listTitles = messageCodec(protos, LIST_TITLES);
  const title = messageCodec(protos, 'streamplane.catalog.v1.Title');
  const decode = (bytes: Buffer) => (protos[LIST_TITLES] as MessageTypeDefinition<object, object>).deserialize(bytes);

  test('joined from encoded parts, decode as the whole message would', () => {
    const titles = [
      { title_id: 'tt00001', name: 'The Silent Crown', genres: ['drama'] },
      // Long enough for a two-byte length.
      { title_id: 'tt00002', name: 'x'.repeat(300), genres: ['comedy'] },
    ];
    const joined = Buffer.concat([
      ...titles.map((one) => embeddedMessageField(listTitles.fieldNumber('titles'), title.encode(one))),
      listTitles.encode({ titles: [], next_page_token: 'next' }),
    ]);
    expect(decode(joined)).toEqual(decode(listTitles.encode({ titles, next_page_token: 'next' })));
  });

  test('are sent by a server as they are, while other answers are encoded as before', () => {
    const getTitle = (definitionForServing(protos)['streamplane.catalog.v1.CatalogService'] as ServiceDefinition)
      .ListTitles!;
    const bytes = listTitles.encode({ titles: [{ title_id: 'tt00001' }] });
    expect(getTitle.responseSerialize(new EncodedMessage(bytes))).toBe(bytes);
    expect(getTitle.responseSerialize({ titles: [{ title_id: 'tt00001' }] })).toEqual(bytes);
  });

  test('name what is not there', () => {
    expect(() => messageCodec(protos, 'streamplane.catalog.v1.Nothing')).toThrow(
      'streamplane.catalog.v1.Nothing is not a message type of this definition',
    );
    expect(() => listTitles.fieldNumber('nothing')).toThrow(
      'streamplane.catalog.v1.ListTitlesResponse has no field nothing',
    );
  });
});
