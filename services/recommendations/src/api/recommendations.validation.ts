import { pageSize, requireCountry, requireId, requireText } from '@streamplane/platform';
import type {
  GetHomeRowsRequest,
  GetTrendingRequest,
  PredictDemandRequest,
} from '@streamplane/contracts/recommendations/v1';
import type { NetworkRegion } from '@streamplane/streaming';
import {
  DEFAULT_MAX_ROWS,
  DEFAULT_PREDICTION_LIMIT,
  DEFAULT_TITLES_PER_ROW,
  DEFAULT_TRENDING_LIMIT,
  MAX_PREDICTION_LIMIT,
  MAX_ROWS,
  MAX_TITLES_PER_ROW,
  MAX_TRENDING_LIMIT,
  requireRegion,
  type HomeRowsLimits,
} from '../domain';

/**
 * Validation of streamplane.recommendations.v1 requests, each field checked once, here: INVALID_ARGUMENT
 * naming the field, in field order, before anything else is asked.
 */

const MAX_REGION_LENGTH = 64;

export function homeRowsQuery(request: GetHomeRowsRequest): { profileId: string; limits: HomeRowsLimits } {
  const profileId = requireId(request.profile_id, 'profile_id');
  return {
    profileId,
    limits: {
      country: requireCountry(request.country, 'country'),
      maxRows: pageSize(request.max_rows, 'max_rows', { defaultSize: DEFAULT_MAX_ROWS, max: MAX_ROWS }),
      titlesPerRow: pageSize(request.titles_per_row, 'titles_per_row', {
        defaultSize: DEFAULT_TITLES_PER_ROW,
        max: MAX_TITLES_PER_ROW,
      }),
    },
  };
}

export function trendingQuery(request: GetTrendingRequest): { country: string; limit: number } {
  return {
    country: requireCountry(request.country, 'country'),
    limit: pageSize(request.limit, 'limit', { defaultSize: DEFAULT_TRENDING_LIMIT, max: MAX_TRENDING_LIMIT }),
  };
}

/** An unknown region is NOT_FOUND, checked before the limit as it always was. */
export function demandQuery(request: PredictDemandRequest): { region: NetworkRegion; limit: number } {
  // Region names are lower case ("us-east"); other spellings of a known name are accepted.
  const region = requireRegion(requireText(request.region, 'region', MAX_REGION_LENGTH).toLowerCase());
  return {
    region,
    limit: pageSize(request.limit, 'limit', { defaultSize: DEFAULT_PREDICTION_LIMIT, max: MAX_PREDICTION_LIMIT }),
  };
}
