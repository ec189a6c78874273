import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { pageSize, requireCountry, requireId, requireText } from '@streamplane/platform';
import type {
  GetHomeRowsRequest,
  GetHomeRowsResponse__Input,
  GetTrendingRequest,
  GetTrendingResponse__Input,
  PredictDemandRequest,
  PredictDemandResponse__Input,
} from '@streamplane/contracts/recommendations/v1';
import { CatalogSnapshotSource } from './catalog-snapshot.source';
import {
  DEFAULT_MAX_ROWS,
  DEFAULT_PREDICTION_LIMIT,
  DEFAULT_TITLES_PER_ROW,
  DEFAULT_TRENDING_LIMIT,
  MAX_PREDICTION_LIMIT,
  MAX_ROWS,
  MAX_TITLES_PER_ROW,
  MAX_TRENDING_LIMIT,
  predictDemand,
  requireRegion,
  trendingTitles,
} from './domain';
import { HomeRowsService } from './home-rows.service';
import { toDemandPredictionMessage, toRowMessage } from './recommendations.messages';

const MAX_REGION_LENGTH = 64;

/** streamplane.recommendations.v1.RecommendationsService: validates, asks the domain, maps the answer. */
@Controller()
export class RecommendationsController {
  constructor(
    private readonly homeRows: HomeRowsService,
    private readonly snapshots: CatalogSnapshotSource,
  ) {}

  @GrpcMethod('RecommendationsService', 'GetHomeRows')
  async getHomeRows(request: GetHomeRowsRequest): Promise<GetHomeRowsResponse__Input> {
    const profileId = requireId(request.profile_id, 'profile_id');
    const limits = {
      country: requireCountry(request.country, 'country'),
      maxRows: pageSize(request.max_rows, 'max_rows', { defaultSize: DEFAULT_MAX_ROWS, max: MAX_ROWS }),
      titlesPerRow: pageSize(request.titles_per_row, 'titles_per_row', {
        defaultSize: DEFAULT_TITLES_PER_ROW,
        max: MAX_TITLES_PER_ROW,
      }),
    };
    const answer = await this.homeRows.forProfile(profileId, limits);
    return { rows: answer.rows.map(toRowMessage), degraded: answer.degraded };
  }

  @GrpcMethod('RecommendationsService', 'GetTrending')
  getTrending(request: GetTrendingRequest): GetTrendingResponse__Input {
    const country = requireCountry(request.country, 'country');
    const limit = pageSize(request.limit, 'limit', { defaultSize: DEFAULT_TRENDING_LIMIT, max: MAX_TRENDING_LIMIT });
    return { titles: trendingTitles(this.snapshots.current(), country, limit) };
  }

  @GrpcMethod('RecommendationsService', 'PredictDemand')
  predictDemand(request: PredictDemandRequest): PredictDemandResponse__Input {
    // Region names are lower case ("us-east"); other spellings of a known name are accepted.
    const region = requireRegion(requireText(request.region, 'region', MAX_REGION_LENGTH).toLowerCase());
    const limit = pageSize(request.limit, 'limit', {
      defaultSize: DEFAULT_PREDICTION_LIMIT,
      max: MAX_PREDICTION_LIMIT,
    });
    const predictions = predictDemand(this.snapshots.current(), region, limit);
    return { region: region.name, predictions: predictions.map(toDemandPredictionMessage) };
  }
}
