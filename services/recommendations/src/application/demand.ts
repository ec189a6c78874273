import type { NetworkRegion } from '@streamplane/streaming';
import { predictDemand, type DemandPrediction } from '../domain';
import type { CatalogSnapshots } from './ports';

/** PredictDemand: answered from the catalog snapshot alone, so it keeps answering while catalog is down. */
export class DemandForecasts {
  constructor(private readonly snapshots: CatalogSnapshots) {}

  /** The `limit` titles most in demand in `region` over the next 24 hours, highest first. */
  predict(region: NetworkRegion, limit: number): DemandPrediction[] {
    return predictDemand(this.snapshots.current(), region, limit);
  }
}
