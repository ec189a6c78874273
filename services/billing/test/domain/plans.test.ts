import { InvalidArgumentError, NotFoundError } from '@streamplane/platform/errors';
import { InMemoryBillingStore } from '../../src/adapters/in-memory-billing-store';
import { DEFAULT_PLAN_PAGE_SIZE, MAX_PLAN_PAGE_SIZE } from '../../src/api/billing.validation';
import { Billing } from '../../src/application/billing';
import { PLANS, PLAN_IDS, entitlementOf, findPlan, getPlan, newSubscription, withCanceled } from '../../src/domain';
import type { Plan } from '../../src/domain';
import { expectThrows } from '../helpers';

describe('plans', () => {
  const billing = new Billing(new InMemoryBillingStore());

  it('are the three plans of the design page, with their allowances and prices', () => {
    expect(billing.listPlans()).toEqual<Plan[]>([
      {
        planId: 'basic',
        name: 'Basic',
        maxStreams: 1,
        maxResolutionHeight: 720,
        hdrAllowed: false,
        monthlyPriceCents: 799,
        currency: 'USD',
      },
      {
        planId: 'standard',
        name: 'Standard',
        maxStreams: 2,
        maxResolutionHeight: 1080,
        hdrAllowed: false,
        monthlyPriceCents: 1549,
        currency: 'USD',
      },
      {
        planId: 'premium',
        name: 'Premium',
        maxStreams: 4,
        maxResolutionHeight: 2160,
        hdrAllowed: true,
        monthlyPriceCents: 2299,
        currency: 'USD',
      },
    ]);
    expect(PLAN_IDS).toEqual(['basic', 'standard', 'premium']);
  });

  it('are listed cheapest first, and a dearer plan never allows less', () => {
    const plans = billing.listPlans();
    for (let i = 1; i < plans.length; i++) {
      const [cheaper, dearer] = [plans[i - 1]!, plans[i]!];
      expect(dearer.monthlyPriceCents).toBeGreaterThan(cheaper.monthlyPriceCents);
      expect(dearer.maxStreams).toBeGreaterThanOrEqual(cheaper.maxStreams);
      expect(dearer.maxResolutionHeight).toBeGreaterThanOrEqual(cheaper.maxResolutionHeight);
    }
  });

  it('cannot be changed through what listPlans returns', () => {
    const plans = billing.listPlans();
    plans.pop();
    expect(billing.listPlans()).toHaveLength(3);
    expect(Object.isFrozen(PLANS)).toBe(true);
    expect(Object.isFrozen(PLANS[0])).toBe(true);
  });

  it('are found by exact id; unknown ids are NotFound("plan")', () => {
    expect(getPlan('standard').maxStreams).toBe(2);
    expect(findPlan('premium')?.hdrAllowed).toBe(true);
    expect(findPlan('Premium')).toBeUndefined();
    expect(findPlan('')).toBeUndefined();
    expectThrows(() => getPlan('gold'), NotFoundError, 'plan "gold" not found');
  });

  describe('listPlansPage', () => {
    it('returns every plan on one default-sized page', () => {
      expect(DEFAULT_PLAN_PAGE_SIZE).toBe(20);
      expect(billing.listPlansPage({ pageSize: DEFAULT_PLAN_PAGE_SIZE, pageToken: '' })).toEqual({
        plans: billing.listPlans(),
        nextPageToken: '',
      });
    });

    it('pages with opaque tokens', () => {
      const ids: string[] = [];
      let pageToken = '';
      let pages = 0;
      do {
        const page = billing.listPlansPage({ pageSize: 1, pageToken });
        expect(page.plans).toHaveLength(1);
        ids.push(page.plans[0]!.planId);
        pageToken = page.nextPageToken;
        pages++;
      } while (pageToken !== '' && pages < 10);
      expect(ids).toEqual(['basic', 'standard', 'premium']);
      expect(billing.listPlansPage({ pageSize: 2, pageToken: '' }).plans.map((p) => p.planId)).toEqual([
        'basic',
        'standard',
      ]);
    });

    it('answers the largest page the api allows, and rejects foreign tokens', () => {
      // Page sizes outside 1…100 are rejected where requests arrive: test/api/billing.validation.test.ts.
      expect(billing.listPlansPage({ pageSize: MAX_PLAN_PAGE_SIZE, pageToken: '' }).plans).toHaveLength(3);
      expectThrows(
        () => billing.listPlansPage({ pageSize: 1, pageToken: 'nope!' }),
        InvalidArgumentError,
        'page_token',
      );
    });
  });
});

describe('entitlementOf', () => {
  const at = new Date('2025-01-01T00:00:00Z');

  it.each([
    ['basic', 1, 720, false],
    ['standard', 2, 1080, false],
    ['premium', 4, 2160, true],
  ])('an active %s subscription may stream %i × %ip, HDR %s', (planId, maxStreams, maxResolutionHeight, hdr) => {
    expect(entitlementOf(newSubscription('a', planId, at))).toEqual({
      accountId: 'a',
      active: true,
      planId,
      maxStreams,
      maxResolutionHeight,
      hdrAllowed: hdr,
    });
  });

  it.each(PLAN_IDS)('a canceled %s subscription is not entitled, but names its last plan', (planId) => {
    expect(entitlementOf(withCanceled(newSubscription('a', planId, at), at, ''))).toEqual({
      accountId: 'a',
      active: false,
      planId,
      maxStreams: 0,
      maxResolutionHeight: 0,
      hdrAllowed: false,
    });
  });
});
