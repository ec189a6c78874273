import type { FillEntry, Steering } from '../domain';
import type { DemandForecast } from './ports';

export interface FillPlan {
  /** The region's canonical name. */
  readonly region: string;
  readonly entries: FillEntry[];
}

/**
 * PlanFill: recommendations' demand for the region, laid out over the region's appliances by the
 * domain's cache-fill policy. A plan without demand is meaningless, so it fails when the forecast does.
 */
export class FillPlanner {
  constructor(
    private readonly steering: Steering,
    private readonly demand: DemandForecast,
  ) {}

  async planFill(regionName: string, maxTitles: number): Promise<FillPlan> {
    // An unknown region is NOT_FOUND before recommendations is bothered.
    const region = this.steering.requireRegion(regionName).name;
    const demand = await this.demand.predict(region, maxTitles);
    return { region, entries: this.steering.planFill(region, demand) };
  }
}
