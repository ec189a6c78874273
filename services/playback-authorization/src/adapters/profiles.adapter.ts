import type { ClientOf } from '@streamplane/contracts';
import type { Profiles } from '../application/ports';
import type { ProfileFacts } from '../domain';

/** Profiles through its resilient client; declared fail closed, so `call()` throws UNAVAILABLE naming it. */
export class ProfilesAdapter implements Profiles {
  constructor(private readonly client: ClientOf<'profiles'>) {}

  async profile(profileId: string): Promise<ProfileFacts> {
    const answer = await this.client.call('GetProfile', { profile_id: profileId });
    return { profileId: answer.profile_id, accountId: answer.account_id, maturityLevel: answer.maturity_level };
  }
}
