import { status } from '@grpc/grpc-js';
import { SERVICES, type ClientOf } from '@streamplane/contracts';
import { BreakerRegistry, loadProtos, Logger, ResilientClient } from '@streamplane/platform';
import { startServiceProcess, testClient, type ServiceProcess, type TestClient } from '@streamplane/testkit';

interface Subscription {
  account_id: string;
  plan_id: string;
  status: string;
  plan_changes: Array<{ from_plan_id: string; to_plan_id: string; idempotency_key: string }>;
}

describe('billing over gRPC', () => {
  let billing: ServiceProcess;
  let client: TestClient;

  beforeAll(async () => {
    billing = await startServiceProcess('billing', { STREAMPLANE_FAULTS: 'enabled' });
    client = testClient(SERVICES.billing, billing.address);
  });

  afterAll(async () => {
    client?.close();
    await billing?.stop();
  });

  it('lists the three plans, cheapest first', async () => {
    const { plans } = await client.call<{ plans: Array<Record<string, unknown>> }>('ListPlans', {});
    expect(plans.map((plan) => [plan.plan_id, plan.max_streams, plan.max_resolution_height, plan.hdr_allowed])).toEqual(
      [
        ['basic', 1, 720, false],
        ['standard', 2, 1080, false],
        ['premium', 4, 2160, true],
      ],
    );
  });

  it.each([
    ['acct-0001', { active: true, plan_id: 'premium', max_streams: 4, max_resolution_height: 2160, hdr_allowed: true }],
    [
      'acct-0002',
      { active: true, plan_id: 'standard', max_streams: 2, max_resolution_height: 1080, hdr_allowed: false },
    ],
    ['acct-0003', { active: true, plan_id: 'basic', max_streams: 1, max_resolution_height: 720, hdr_allowed: false }],
    ['acct-0004', { active: false, max_streams: 0, max_resolution_height: 0, hdr_allowed: false }],
  ])('entitles %s as the design fixes', async (accountId, expected) => {
    expect(await client.call('GetEntitlement', { account_id: accountId })).toMatchObject({
      account_id: accountId,
      ...expected,
    });
  });

  it('returns a subscription with its history', async () => {
    const subscription = await client.call<Subscription>('GetSubscription', { account_id: 'acct-0004' });
    expect(subscription).toMatchObject({ account_id: 'acct-0004', status: 'SUBSCRIPTION_STATUS_CANCELED' });
    expect(subscription.plan_changes.length).toBeGreaterThan(0);
  });

  it('changes a plan once per idempotency key, and refuses the key for another request', async () => {
    const request = { account_id: 'acct-0010', plan_id: 'premium', idempotency_key: 'upgrade-0010' };
    const before = await client.call<Subscription>('GetSubscription', { account_id: 'acct-0010' });
    const target = before.plan_id === 'premium' ? 'basic' : 'premium';
    const first = await client.call<{ subscription: Subscription }>('ChangePlan', { ...request, plan_id: target });
    const again = await client.call<{ subscription: Subscription }>('ChangePlan', { ...request, plan_id: target });
    expect(again).toEqual(first);
    expect(first.subscription.plan_changes).toHaveLength(before.plan_changes.length + 1);
    const conflict = await client.fail('ChangePlan', {
      ...request,
      plan_id: target === 'basic' ? 'standard' : 'basic',
    });
    expect(conflict.code).toBe(status.ALREADY_EXISTS);
    expect(conflict.details).toContain('upgrade-0010');
  });

  it('cancels, refuses a second cancel, and reactivates on ChangePlan', async () => {
    const canceled = await client.call<{ subscription: Subscription }>('CancelSubscription', {
      account_id: 'acct-0011',
      idempotency_key: 'cancel-0011',
    });
    expect(canceled.subscription.status).toBe('SUBSCRIPTION_STATUS_CANCELED');
    const twice = await client.fail('CancelSubscription', {
      account_id: 'acct-0011',
      idempotency_key: 'cancel-0011-b',
    });
    expect(twice.code).toBe(status.FAILED_PRECONDITION);
    expect(await client.call('GetEntitlement', { account_id: 'acct-0011' })).toMatchObject({ active: false });
    await client.call('ChangePlan', { account_id: 'acct-0011', plan_id: 'standard', idempotency_key: 'back-0011' });
    expect(await client.call('GetEntitlement', { account_id: 'acct-0011' })).toMatchObject({
      active: true,
      plan_id: 'standard',
    });
  });

  it.each([
    ['an empty account id', 'GetSubscription', { account_id: '' }, status.INVALID_ARGUMENT, /^account_id: is required/],
    ['an unknown account', 'GetEntitlement', { account_id: 'acct-9999' }, status.NOT_FOUND, /acct-9999/],
    ['an unknown plan', 'ChangePlan', { account_id: 'acct-0001', plan_id: 'platinum' }, status.NOT_FOUND, /platinum/],
    [
      'the current plan',
      'ChangePlan',
      { account_id: 'acct-0001', plan_id: 'premium' },
      status.FAILED_PRECONDITION,
      /premium/,
    ],
    ['an empty plan id', 'ChangePlan', { account_id: 'acct-0001', plan_id: '' }, status.INVALID_ARGUMENT, /^plan_id: /],
    [
      'a malformed key',
      'ChangePlan',
      { account_id: 'acct-0001', plan_id: 'basic', idempotency_key: 'x'.repeat(129) },
      status.INVALID_ARGUMENT,
      /^idempotency_key: /,
    ],
    ['page_size 0', 'ListPlans', { page_size: 0 }, status.INVALID_ARGUMENT, /^page_size: /],
    ['a malformed page token', 'ListPlans', { page_token: '!!' }, status.INVALID_ARGUMENT, /^page_token: /],
  ])('%s gives the right code and names the field or id', async (_case, method, request, code, message) => {
    const error = await client.fail(method, request);
    expect(error.code).toBe(code);
    expect(error.details).toMatch(message);
  });

  describe('through the resilient client, when an answer is lost', () => {
    const breakers = new BreakerRegistry();
    let resilient: ClientOf<'billing'>;

    beforeAll(() => {
      resilient = new ResilientClient(
        SERVICES.billing,
        `dns:///${billing.address}`,
        loadProtos([SERVICES.billing.protoFile]).definition,
        {
          breakers,
          logger: new Logger('test', 'error', {}, () => undefined),
          options: { backoff: { baseMs: 1, capMs: 5 } },
        },
      );
    });

    afterAll(() => {
      resilient.close();
      breakers.close();
    });

    it('retries a ChangePlan with a key and applies it exactly once', async () => {
      const before = await client.call<Subscription>('GetSubscription', { account_id: 'acct-0012' });
      const target = before.plan_id === 'premium' ? 'basic' : 'premium';
      // Attempt 1 changes the plan, then its answer is lost; attempt 2 carries the same key.
      const { subscription } = await resilient.call(
        'ChangePlan',
        { account_id: 'acct-0012', plan_id: target, idempotency_key: 'lost-answer-0012' },
        { metadata: { 'x-streamplane-fault': 'billing=UNAVAILABLE@response#1' } },
      );
      expect(resilient.statsOf('ChangePlan')).toMatchObject({ attempts: 2, retries: 1 });
      expect(subscription?.plan_id).toBe(target);
      const after = await client.call<Subscription>('GetSubscription', { account_id: 'acct-0012' });
      expect(after.plan_changes).toHaveLength(before.plan_changes.length + 1);
    });

    it('does not retry a ChangePlan without a key, so it cannot be applied twice', async () => {
      const before = await client.call<Subscription>('GetSubscription', { account_id: 'acct-0013' });
      const target = before.plan_id === 'premium' ? 'basic' : 'premium';
      const attemptsBefore = resilient.statsOf('ChangePlan').attempts;
      await expect(
        resilient.call(
          'ChangePlan',
          { account_id: 'acct-0013', plan_id: target },
          { metadata: { 'x-streamplane-fault': 'billing=UNAVAILABLE@response#1' } },
        ),
      ).rejects.toMatchObject({ code: status.UNAVAILABLE });
      expect(resilient.statsOf('ChangePlan').attempts - attemptsBefore).toBe(1);
      const after = await client.call<Subscription>('GetSubscription', { account_id: 'acct-0013' });
      expect(after.plan_changes).toHaveLength(before.plan_changes.length + 1);
    });
  });
});
