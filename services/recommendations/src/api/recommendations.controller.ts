import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { EncodedMessage } from '@streamplane/platform';
import type {
  GetHomeRowsRequest,
  GetTrendingRequest,
  GetTrendingResponse__Input,
  PredictDemandRequest,
  PredictDemandResponse__Input,
} from '@streamplane/contracts/recommendations/v1';
import { DemandForecasts } from '../application/demand';
import { HomeRows } from '../application/home-rows';
import { Trending } from '../application/trending';
import { HomeRowsEncoding } from './home-rows.encoding';
import { toPredictDemandResponse } from './recommendations.mappers';
import { demandQuery, homeRowsQuery, trendingQuery } from './recommendations.validation';

/** streamplane.recommendations.v1.RecommendationsService: validates, asks the application, maps the answer. */
@Controller()
export class RecommendationsController {
  constructor(
    private readonly homeRows: HomeRows,
    private readonly trending: Trending,
    private readonly demand: DemandForecasts,
    private readonly encoding: HomeRowsEncoding,
  ) {}

  @GrpcMethod('RecommendationsService', 'GetHomeRows')
  async getHomeRows(request: GetHomeRowsRequest): Promise<EncodedMessage> {
    const { profileId, limits } = homeRowsQuery(request);
    return this.encoding.encode(await this.homeRows.forProfile(profileId, limits), limits.country);
  }

  @GrpcMethod('RecommendationsService', 'GetTrending')
  getTrending(request: GetTrendingRequest): GetTrendingResponse__Input {
    const { country, limit } = trendingQuery(request);
    return { titles: this.trending.titlesIn(country, limit) };
  }

  @GrpcMethod('RecommendationsService', 'PredictDemand')
  predictDemand(request: PredictDemandRequest): PredictDemandResponse__Input {
    const { region, limit } = demandQuery(request);
    return toPredictDemandResponse(region, this.demand.predict(region, limit));
  }
}
