import type { ServiceDefinitions } from '@streamplane/contracts';
import { Injectable } from '@nestjs/common';
import { isTargetUnreachable, ServiceClients, UnavailableError } from '@streamplane/platform';
import type { DemandPrediction } from './domain';

/**
 * The titles recommendations predicts a region will play, asked through the resilient client with no
 * fallback: a fill plan without demand is meaningless, so it fails closed. Whatever keeps recommendations
 * from answering (down, too slow, overloaded, failing internally, breaker open) reaches the caller as
 * UNAVAILABLE, never as an INTERNAL error of steering's own.
 */
@Injectable()
export class DemandForecast {
  constructor(private readonly clients: ServiceClients<ServiceDefinitions>) {}

  async predict(region: string, limit: number): Promise<DemandPrediction[]> {
    try {
      const { predictions } = await this.clients.get('recommendations').call('PredictDemand', { region, limit });
      return predictions.map((prediction) => ({
        titleId: prediction.title_id,
        expectedPlays: prediction.expected_plays,
      }));
    } catch (error) {
      if (isTargetUnreachable(error)) {
        throw new UnavailableError(`recommendations cannot predict demand: ${error.details}`);
      }
      throw error;
    }
  }
}
