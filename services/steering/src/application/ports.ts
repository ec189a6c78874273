import type { DemandPrediction } from '../domain';

/**
 * The titles a region is expected to play, from recommendations. Declared failClosed('cannot predict
 * demand'): when recommendations cannot answer, predict rejects with UNAVAILABLE naming it, never with
 * an error of steering's own.
 */
export interface DemandForecast {
  /** Up to `limit` predictions for the region, as recommendations ranks them. */
  predict(region: string, limit: number): Promise<DemandPrediction[]>;
}
