import { toHomeRowsResponse } from '../../src/api/recommendations.mappers';
import { aTitle } from '../application/fakes';

describe('home rows as sent', () => {
  test('carry each title trimmed to what a row shows the viewer: its availability there, no synopsis', () => {
    const crown = aTitle({
      title_id: 'tt00001',
      name: 'The Silent Crown',
      available_countries: ['DE', 'GB', 'US'],
      synopsis: 'A long synopsis that only the title page shows.',
      localized_names: { de: 'Die stille Krone' },
    });
    const response = toHomeRowsResponse(
      {
        rows: [
          {
            rowId: 'trending-US',
            title: 'Trending in US',
            kind: 'TRENDING',
            genre: '',
            titles: [crown],
            resumePositionSeconds: {},
          },
        ],
        degraded: false,
      },
      'US',
    );
    expect(response.rows![0]!.titles).toEqual([{ ...crown, available_countries: ['US'], synopsis: '' }]);
    // The snapshot's title itself is left as it was.
    expect(crown.available_countries).toEqual(['DE', 'GB', 'US']);
    expect(response.rows![0]).toMatchObject({ row_id: 'trending-US', kind: 'ROW_KIND_TRENDING' });
  });
});
