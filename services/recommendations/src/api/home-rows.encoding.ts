import type { Title } from '@streamplane/contracts/catalog/v1';
import {
  embeddedMessageField,
  EncodedMessage,
  messageCodec,
  type MessageCodec,
  type ServiceProtos,
} from '@streamplane/platform';
import type { HomeRowsAnswer } from '../application/home-rows';
import { toRowHeading, toRowTitle } from './recommendations.mappers';

/**
 * GetHomeRows answers in wire form. A home screen is about two hundred titles, and the same titles of the
 * same catalog snapshot are on every profile's screen in a country: encoding each of them again for every
 * answer was most of the service's work. Here each (title, country) is encoded once, as the Row.titles
 * field it becomes, and answers are joined from those bytes and the rows' small headings; the caller
 * decodes an ordinary GetHomeRowsResponse.
 *
 * The cache is keyed by the snapshot's own title objects (a WeakMap), so it lives exactly as long as the
 * snapshot: a refreshed catalog brings new objects, and the old entries go with the old snapshot. Its size
 * is bounded by the snapshot's titles times the countries each is available in.
 */
export class HomeRowsEncoding {
  private readonly response: MessageCodec;
  private readonly row: MessageCodec;
  private readonly title: MessageCodec;
  private readonly rowsField: number;
  private readonly titlesField: number;
  private readonly titleFields = new WeakMap<Title, Map<string, Buffer>>();

  constructor(protos: ServiceProtos) {
    this.response = messageCodec(protos, 'streamplane.recommendations.v1.GetHomeRowsResponse');
    this.row = messageCodec(protos, 'streamplane.recommendations.v1.Row');
    this.title = messageCodec(protos, 'streamplane.catalog.v1.Title');
    this.rowsField = this.response.fieldNumber('rows');
    this.titlesField = this.row.fieldNumber('titles');
  }

  encode(answer: HomeRowsAnswer, country: string): EncodedMessage {
    const fields = answer.rows.map((row) =>
      embeddedMessageField(
        this.rowsField,
        Buffer.concat([
          this.row.encode(toRowHeading(row)),
          ...row.titles.map((title) => this.titleField(title, country)),
        ]),
      ),
    );
    fields.push(this.response.encode({ rows: [], degraded: answer.degraded }));
    return new EncodedMessage(Buffer.concat(fields));
  }

  private titleField(title: Title, country: string): Buffer {
    let byCountry = this.titleFields.get(title);
    if (!byCountry) {
      byCountry = new Map();
      this.titleFields.set(title, byCountry);
    }
    let field = byCountry.get(country);
    if (!field) {
      field = embeddedMessageField(this.titlesField, this.title.encode(toRowTitle(title, country)));
      byCountry.set(country, field);
    }
    return field;
  }
}
