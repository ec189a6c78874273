import { InvalidArgumentError } from '../src/errors/domain-errors';
import { decodePageToken, encodePageToken, paginate } from '../src/paging';

describe('page tokens', () => {
  const letters = Array.from('abcdefghij');

  it('walks a list page by page and ends with an empty token', () => {
    const seen: string[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const page = paginate(letters, { pageSize: 3, pageToken }, 'genre=drama');
      seen.push(...page.items);
      pageToken = page.nextPageToken;
      pages += 1;
    } while (pageToken !== '');
    expect(seen).toEqual(letters);
    expect(pages).toBe(4);
  });

  it('rejects a token that is not base64 JSON, naming the field', () => {
    expect(() => decodePageToken('not-a-token!!', 'x')).toThrow(InvalidArgumentError);
    expect(() => decodePageToken('not-a-token!!', 'x')).toThrow(/^page_token: /);
  });

  it('rejects a token issued for another filter', () => {
    const token = encodePageToken(3, 'genre=drama');
    expect(() => decodePageToken(token, 'genre=comedy')).toThrow(/different filters/);
  });

  it('rejects negative offsets smuggled into a token', () => {
    const forged = Buffer.from(JSON.stringify({ o: -5, f: 'x' })).toString('base64url');
    expect(() => decodePageToken(forged, 'x')).toThrow(InvalidArgumentError);
  });
});
