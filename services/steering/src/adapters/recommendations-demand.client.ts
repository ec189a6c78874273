import type { ServiceDefinitions } from '@streamplane/contracts';
import { Injectable } from '@nestjs/common';
import { ServiceClients } from '@streamplane/platform';
import type { DemandForecast } from '../application/ports';
import type { DemandPrediction } from '../domain';

/**
 * DemandForecast over recommendations' PredictDemand. Whatever keeps recommendations from answering
 * (down, too slow, overloaded, failing internally, breaker open) reaches the caller as the declared
 * failClosed policy's UNAVAILABLE "recommendations cannot predict demand: …".
 */
@Injectable()
export class RecommendationsDemandClient implements DemandForecast {
  constructor(private readonly clients: ServiceClients<ServiceDefinitions>) {}

  async predict(region: string, limit: number): Promise<DemandPrediction[]> {
    const { predictions } = await this.clients.get('recommendations').call('PredictDemand', { region, limit });
    return predictions.map((prediction) => ({
      titleId: prediction.title_id,
      expectedPlays: prediction.expected_plays,
    }));
  }
}
