import type { ClientOf } from '@streamplane/contracts';
import type { Entitlement, Entitlements } from '../application/ports';

/** Billing through its resilient client; declared fail closed, so `call()` throws UNAVAILABLE naming it. */
export class BillingAdapter implements Entitlements {
  constructor(private readonly client: ClientOf<'billing'>) {}

  async entitlement(accountId: string): Promise<Entitlement> {
    const answer = await this.client.call('GetEntitlement', { account_id: accountId });
    return {
      active: answer.active,
      planId: answer.plan_id,
      maxStreams: answer.max_streams,
      maxResolutionHeight: answer.max_resolution_height,
      hdrAllowed: answer.hdr_allowed,
    };
  }
}
