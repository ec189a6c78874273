import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from '@streamplane/platform/errors';
import { InMemoryBillingStore } from '../../src/adapters/in-memory-billing-store';
import { Billing } from '../../src/application/billing';
import { seedBillingStore } from '../../src/application/seed-billing-store';
import { MAX_IDEMPOTENCY_KEY_LENGTH, generateSubscriptions, validateIdempotencyKey } from '../../src/domain';
import type { Subscription } from '../../src/domain';
import { HOUR_MS, ManualClock, expectConsistent, expectRejects, expectThrows } from '../helpers';

const seeded = new Map(generateSubscriptions(10).map((s) => [s.accountId, s]));
const seed = (accountId: string): Subscription => seeded.get(accountId)!;

let clock: ManualClock;
let billing: Billing;

beforeEach(async () => {
  clock = new ManualClock('2026-03-01T12:00:00.000Z');
  const store = new InMemoryBillingStore({ clock });
  await seedBillingStore(store, 10);
  billing = new Billing(store, { clock });
});

describe('Billing.getSubscription', () => {
  it('returns the subscription with its history', async () => {
    expect(await billing.getSubscription('acct-0004')).toEqual(seed('acct-0004'));
  });

  it('requires an account id and a known account', async () => {
    await expectRejects(billing.getSubscription(''), InvalidArgumentError, 'account_id: must not be empty');
    await expectRejects(billing.getSubscription('acct-9999'), NotFoundError, 'account "acct-9999" not found');
  });
});

describe('Billing.getEntitlement', () => {
  it.each([
    ['acct-0001', 'premium', 4, 2160, true],
    ['acct-0002', 'standard', 2, 1080, false],
    ['acct-0003', 'basic', 1, 720, false],
  ])('%s (%s) may stream %i × %ip, HDR %s', async (accountId, planId, maxStreams, maxResolutionHeight, hdrAllowed) => {
    expect(await billing.getEntitlement(accountId)).toEqual({
      accountId,
      active: true,
      planId,
      maxStreams,
      maxResolutionHeight,
      hdrAllowed,
    });
  });

  it('is inactive with no allowance for a canceled account, which is not an error', async () => {
    expect(await billing.getEntitlement('acct-0004')).toEqual({
      accountId: 'acct-0004',
      active: false,
      planId: 'standard',
      maxStreams: 0,
      maxResolutionHeight: 0,
      hdrAllowed: false,
    });
  });

  it('requires an account id and a known account', async () => {
    await expectRejects(billing.getEntitlement(''), InvalidArgumentError, 'account_id');
    await expectRejects(billing.getEntitlement('acct-0011'), NotFoundError, 'account "acct-0011"');
  });

  it('follows plan changes and cancellations', async () => {
    await billing.changePlan('acct-0003', 'premium', '');
    expect(await billing.getEntitlement('acct-0003')).toMatchObject({ active: true, maxStreams: 4, hdrAllowed: true });
    await billing.cancelSubscription('acct-0003', '');
    expect(await billing.getEntitlement('acct-0003')).toMatchObject({
      active: false,
      planId: 'premium',
      maxStreams: 0,
    });
  });
});

describe('Billing.changePlan', () => {
  it('moves an active subscription to another plan and records the change, stamped by the clock', async () => {
    clock.advance(HOUR_MS);
    const { subscription, replayed } = await billing.changePlan('acct-0003', 'standard', 'upgrade-1');
    expect(replayed).toBe(false);
    expect(subscription).toEqual({
      ...seed('acct-0003'),
      planId: 'standard',
      planChanges: [
        ...seed('acct-0003').planChanges,
        {
          fromPlanId: 'basic',
          toPlanId: 'standard',
          status: 'ACTIVE',
          changedAt: new Date('2026-03-01T13:00:00.000Z'),
          idempotencyKey: 'upgrade-1',
        },
      ],
    });
    expect(subscription.startedAt).toEqual(seed('acct-0003').startedAt);
    expect(await billing.getSubscription('acct-0003')).toEqual(subscription);
    expectConsistent(subscription);
  });

  it('downgrades as well as upgrades', async () => {
    const { subscription } = await billing.changePlan('acct-0001', 'basic', '');
    expect(subscription.planId).toBe('basic');
    expect((await billing.getEntitlement('acct-0001')).maxStreams).toBe(1);
  });

  it('is FailedPrecondition when the subscription is already active on that plan; nothing changes', async () => {
    await expectRejects(
      billing.changePlan('acct-0001', 'premium', 'k'),
      FailedPreconditionError,
      'account "acct-0001" is already on plan "premium"',
    );
    expect(await billing.getSubscription('acct-0001')).toEqual(seed('acct-0001'));
  });

  it('reactivates a canceled subscription on the new plan: started_at reset, canceled_at cleared', async () => {
    const { subscription } = await billing.changePlan('acct-0004', 'premium', 'back');
    expect(subscription.status).toBe('ACTIVE');
    expect(subscription.planId).toBe('premium');
    expect(subscription.startedAt).toEqual(clock.now());
    expect('canceledAt' in subscription).toBe(false);
    expect(subscription.planChanges.at(-1)).toEqual({
      fromPlanId: 'standard',
      toPlanId: 'premium',
      status: 'ACTIVE',
      changedAt: clock.now(),
      idempotencyKey: 'back',
    });
    expectConsistent(subscription);
    expect((await billing.getEntitlement('acct-0004')).active).toBe(true);
  });

  it('reactivates on the plan the subscription had when canceled, too', async () => {
    const { subscription } = await billing.changePlan('acct-0004', 'standard', '');
    expect(subscription).toMatchObject({ status: 'ACTIVE', planId: 'standard', startedAt: clock.now() });
    expectConsistent(subscription);
  });

  it('rejects an unknown plan with NotFound("plan"), ids being case-sensitive', async () => {
    await expectRejects(billing.changePlan('acct-0001', 'gold', ''), NotFoundError, 'plan "gold" not found');
    await expectRejects(billing.changePlan('acct-0003', 'Premium', ''), NotFoundError, 'plan "Premium"');
    expect(await billing.getSubscription('acct-0003')).toEqual(seed('acct-0003'));
  });

  it('requires account_id and plan_id, and a known account', async () => {
    await expectRejects(billing.changePlan('', 'basic', ''), InvalidArgumentError, 'account_id: must not be empty');
    await expectRejects(billing.changePlan('acct-0001', '', ''), InvalidArgumentError, 'plan_id: must not be empty');
    await expectRejects(billing.changePlan('acct-0404', 'basic', 'k'), NotFoundError, 'account "acct-0404" not found');
  });

  it('validates in field order: account_id, plan_id, idempotency_key, then the plan', async () => {
    await expectRejects(billing.changePlan('', '', '\n'), InvalidArgumentError, 'account_id');
    await expectRejects(billing.changePlan('acct-0001', '', '\n'), InvalidArgumentError, 'plan_id');
    await expectRejects(billing.changePlan('acct-0001', 'gold', '\n'), InvalidArgumentError, 'idempotency_key');
    await expectRejects(billing.changePlan('acct-0404', 'gold', ''), NotFoundError, 'plan "gold"');
  });
});

describe('Billing.cancelSubscription', () => {
  it('cancels an active subscription, keeping its plan, and records it', async () => {
    clock.advance(5 * HOUR_MS);
    const { subscription, replayed } = await billing.cancelSubscription('acct-0002', 'bye');
    expect(replayed).toBe(false);
    expect(subscription).toEqual({
      ...seed('acct-0002'),
      status: 'CANCELED',
      canceledAt: new Date('2026-03-01T17:00:00.000Z'),
      planChanges: [
        ...seed('acct-0002').planChanges,
        {
          fromPlanId: 'standard',
          toPlanId: 'standard',
          status: 'CANCELED',
          changedAt: new Date('2026-03-01T17:00:00.000Z'),
          idempotencyKey: 'bye',
        },
      ],
    });
    expectConsistent(subscription);
    expect(await billing.getEntitlement('acct-0002')).toMatchObject({ active: false, maxStreams: 0 });
  });

  it('is FailedPrecondition on a canceled subscription; nothing changes', async () => {
    await expectRejects(
      billing.cancelSubscription('acct-0004', ''),
      FailedPreconditionError,
      'subscription of account "acct-0004" is already canceled',
    );
    expect(await billing.getSubscription('acct-0004')).toEqual(seed('acct-0004'));
  });

  it('requires an account id, a well-formed key and a known account', async () => {
    await expectRejects(billing.cancelSubscription('', ''), InvalidArgumentError, 'account_id');
    await expectRejects(
      billing.cancelSubscription('acct-0001', 'x'.repeat(129)),
      InvalidArgumentError,
      'idempotency_key',
    );
    await expectRejects(billing.cancelSubscription('acct-0404', ''), NotFoundError, 'account "acct-0404"');
    expect(await billing.getSubscription('acct-0001')).toEqual(seed('acct-0001'));
  });
});

describe('plan history', () => {
  it('records every effective change, oldest first, with its time and key; refusals record nothing', async () => {
    const steps: [string, () => Promise<unknown>][] = [
      ['to standard', () => billing.changePlan('acct-0003', 'standard', 'k1')],
      ['to premium', () => billing.changePlan('acct-0003', 'premium', '')],
      ['refused', () => billing.changePlan('acct-0003', 'premium', 'k2').catch(() => undefined)],
      ['cancel', () => billing.cancelSubscription('acct-0003', 'k3')],
      ['refused', () => billing.cancelSubscription('acct-0003', '').catch(() => undefined)],
      ['reactivate', () => billing.changePlan('acct-0003', 'basic', 'k4')],
    ];
    for (const [, step] of steps) {
      clock.advance(HOUR_MS);
      await step();
    }
    const subscription = await billing.getSubscription('acct-0003');
    const at = (hours: number) => new Date(Date.parse('2026-03-01T12:00:00.000Z') + hours * HOUR_MS);
    expect(subscription.planChanges).toEqual([
      ...seed('acct-0003').planChanges,
      { fromPlanId: 'basic', toPlanId: 'standard', status: 'ACTIVE', changedAt: at(1), idempotencyKey: 'k1' },
      { fromPlanId: 'standard', toPlanId: 'premium', status: 'ACTIVE', changedAt: at(2), idempotencyKey: '' },
      { fromPlanId: 'premium', toPlanId: 'premium', status: 'CANCELED', changedAt: at(4), idempotencyKey: 'k3' },
      { fromPlanId: 'premium', toPlanId: 'basic', status: 'ACTIVE', changedAt: at(6), idempotencyKey: 'k4' },
    ]);
    expect(subscription.startedAt).toEqual(at(6));
    expectConsistent(subscription);
  });

  it('does not alias the clock: a clock handing out one shared Date cannot rewrite history', async () => {
    const shared = new Date('2026-01-01T00:00:00.000Z');
    const sharedDateClock = { now: () => shared };
    const store = new InMemoryBillingStore({ clock: sharedDateClock });
    await seedBillingStore(store, 3);
    const aliased = new Billing(store, { clock: sharedDateClock });
    await aliased.changePlan('acct-0003', 'premium', '');
    shared.setTime(0);
    expect((await aliased.getSubscription('acct-0003')).planChanges.at(-1)!.changedAt).toEqual(
      new Date('2026-01-01T00:00:00.000Z'),
    );
  });
});

describe('idempotency key validation', () => {
  const printable = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');

  it('accepts no key, and 1 to 128 printable ASCII characters', () => {
    expect(MAX_IDEMPOTENCY_KEY_LENGTH).toBe(128);
    for (const key of ['', 'a', '550e8400-e29b-41d4-a716-446655440000', 'x'.repeat(128), printable, ' spaced key ']) {
      expect(() => validateIdempotencyKey(key)).not.toThrow();
    }
  });

  it('rejects keys longer than 128 characters', () => {
    expectThrows(
      () => validateIdempotencyKey('x'.repeat(129)),
      InvalidArgumentError,
      'idempotency_key',
      'at most 128 characters, got 129',
    );
  });

  it.each([
    ['a tab', 'a\tb', 'U+0009 at position 1'],
    ['a newline', 'key\n', 'U+000A at position 3'],
    ['NUL', '\u0000', 'U+0000 at position 0'],
    ['DEL', 'k\u007f', 'U+007F at position 1'],
    ['a non-ASCII letter', 'clé', 'U+00E9 at position 2'],
    ['an emoji', 'k🎬', 'U+1F3AC at position 1'],
  ])('rejects %s', (_name, key, where) => {
    expectThrows(() => validateIdempotencyKey(key), InvalidArgumentError, 'idempotency_key', 'printable ASCII', where);
  });

  it('is checked by both mutations before the store is touched', async () => {
    await expectRejects(
      billing.changePlan('acct-0003', 'premium', 'bad\u0001'),
      InvalidArgumentError,
      'idempotency_key',
    );
    await expectRejects(billing.cancelSubscription('acct-0003', 'bad\u0001'), InvalidArgumentError, 'idempotency_key');
    expect(await billing.getSubscription('acct-0003')).toEqual(seed('acct-0003'));
  });
});
