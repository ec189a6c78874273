import { InvalidArgumentError } from '@streamplane/platform/errors';
import type { ChangePlanRequest, ListPlansRequest } from '@streamplane/contracts/billing/v1';
import {
  DEFAULT_PLAN_PAGE_SIZE,
  MAX_PLAN_PAGE_SIZE,
  accountIdOf,
  planChangeOf,
  plansPageOf,
} from '../../src/api/billing.validation';
import { expectThrows } from '../helpers';

/** The checks of billing requests that are made once, where requests arrive. */
describe('billing request validation', () => {
  // Requests as proto-loader decodes them: unset strings are '', an unset optional page_size is absent.
  const plans = (fields: Partial<ListPlansRequest>): ListPlansRequest => ({ page_token: '', ...fields });
  const change = (fields: Partial<ChangePlanRequest>): ChangePlanRequest => ({
    account_id: '',
    plan_id: '',
    idempotency_key: '',
    ...fields,
  });

  it('bounds ListPlans page sizes at 1…100, naming page_size; unset means 20', () => {
    expect(DEFAULT_PLAN_PAGE_SIZE).toBe(20);
    expect(MAX_PLAN_PAGE_SIZE).toBe(100);
    for (const pageSize of [0, -1, 101, 1.5, Number.NaN]) {
      expectThrows(
        () => plansPageOf(plans({ page_size: pageSize })),
        InvalidArgumentError,
        'page_size',
        'between 1 and 100',
      );
    }
    expect(plansPageOf(plans({ page_size: MAX_PLAN_PAGE_SIZE }))).toEqual({ pageSize: 100, pageToken: '' });
    expect(plansPageOf(plans({ page_token: 'abc' }))).toEqual({ pageSize: 20, pageToken: 'abc' });
  });

  it('requires well-formed ids, naming the field, and passes the idempotency key on as sent', () => {
    expectThrows(() => accountIdOf({ account_id: '' }), InvalidArgumentError, 'account_id: is required');
    expectThrows(() => planChangeOf(change({ account_id: 'acct-0001' })), InvalidArgumentError, 'plan_id');
    expect(planChangeOf(change({ account_id: 'acct-0001', plan_id: 'basic', idempotency_key: ' k\n' }))).toEqual({
      accountId: 'acct-0001',
      planId: 'basic',
      idempotencyKey: ' k\n',
    });
  });
});
