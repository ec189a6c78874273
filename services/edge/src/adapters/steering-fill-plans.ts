import type { ClientOf } from '@streamplane/contracts';
import { isStatusError, NotFoundError, statusName, UnavailableError } from '@streamplane/platform';
import type { FillPlanEntry, FillPlans } from '../application/ports';

/** Steering's PlanFill through its resilient client, as batch (sheddable) work. */
export class SteeringFillPlans implements FillPlans {
  constructor(private readonly client: ClientOf<'steering'>) {}

  async plan(region: string, maxTitles: number): Promise<readonly FillPlanEntry[]> {
    try {
      const answer = await this.client.call('PlanFill', { region, max_titles: maxTitles }, { priority: 'sheddable' });
      return answer.entries.map((entry) => ({ applianceId: entry.appliance_id, titleIds: entry.title_ids }));
    } catch (error) {
      if (isStatusError(error) && statusName(error.code) === 'NOT_FOUND') throw new NotFoundError('region', region);
      throw new UnavailableError(`steering cannot plan a fill for ${region}`);
    }
  }
}
