import type { ClientOf } from '@streamplane/contracts';
import { fromTimestamp, isStatusError, statusName } from '@streamplane/platform';
import type { CdnSteering, ClientPosition } from '../application/ports';
import type { CdnUrl } from '../domain';

/**
 * Steering through its resilient client; declared degrade, so `optional()` answers undefined when it
 * cannot answer. Its NOT_FOUND is an answer, not an outage: no appliance stocks the title, so there is no
 * candidate and the origin serves it.
 */
export class SteeringAdapter implements CdnSteering {
  constructor(private readonly client: ClientOf<'steering'>) {}

  async candidates(titleId: string, client: ClientPosition): Promise<CdnUrl[] | undefined> {
    const answer = await this.client
      .optional('SteerPlayback', { title_id: titleId, client })
      .catch((error: unknown) => {
        if (isStatusError(error) && statusName(error.code) === 'NOT_FOUND') return { candidates: [] };
        throw error;
      });
    return answer?.candidates.map((candidate) => ({
      url: candidate.url,
      applianceId: candidate.appliance_id,
      rank: candidate.rank,
      expiresAt: fromTimestamp(candidate.expires_at),
    }));
  }
}
