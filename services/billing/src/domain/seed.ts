import { PLAN_IDS } from './plan';
import type { PlanId, Subscription } from './plan';
import { newSubscription, withCanceled, withPlanChanged } from './rules';
import { mix32, SeededRandom } from '@streamplane/streaming';

/**
 * The deterministic billing seed: one subscription per account `acct-0001` … `acct-1000`. Same input,
 * same subscriptions, on every machine: a seeded PRNG (mulberry32), timestamps from a fixed epoch plus
 * drawn offsets, no clock, no Math.random. Histories are built with the live transition rules
 * (rules.ts), so a seeded subscription is indistinguishable from one built through the API.
 *
 * Each account draws from its own PRNG stream, derived from the seed and its number, so
 * `generateSubscriptions(n)` is a prefix of `generateSubscriptions(m)` for n ≤ m.
 *
 * Fixed fixtures (design page, section 3):
 * - `acct-0001` premium ACTIVE (joined on standard, upgraded to premium a month later);
 * - `acct-0002` standard ACTIVE; `acct-0003` basic ACTIVE (one history entry each);
 * - `acct-0004` CANCELED, was standard.
 * The rest: about 30 % basic, 45 % standard, 25 % premium when joining; some change plan once or twice;
 * about 12 % end canceled; a few were canceled and later reactivated.
 */

export const BILLING_SEED = 0xb111_2026;
export const DEFAULT_ACCOUNT_COUNT = 1000;
/** Account ids have four digits. */
export const MAX_ACCOUNT_COUNT = 9999;
/** Every seeded timestamp is at or after this instant (2024-01-01T00:00:00Z). */
export const SEED_EPOCH = new Date(Date.UTC(2024, 0, 1));

const DAY_MS = 24 * 60 * 60 * 1000;

export function formatAccountId(n: number): string {
  return `acct-${String(n).padStart(4, '0')}`;
}

const JOIN_WEIGHTS: readonly (readonly [PlanId, number])[] = [
  ['basic', 30],
  ['standard', 45],
  ['premium', 25],
];

const at = (days: number, seconds = 0): Date => new Date(SEED_EPOCH.getTime() + days * DAY_MS + seconds * 1000);

function fixture(accountNumber: number): Subscription | undefined {
  const id = formatAccountId(accountNumber);
  switch (accountNumber) {
    case 1:
      return withPlanChanged(newSubscription(id, 'standard', at(0)), 'premium', at(31), '');
    case 2:
      return newSubscription(id, 'standard', at(0, 3600));
    case 3:
      return newSubscription(id, 'basic', at(0, 7200));
    case 4:
      return withCanceled(newSubscription(id, 'standard', at(0, 10_800)), at(152), '');
    default:
      return undefined;
  }
}

function generateSubscription(accountNumber: number): Subscription {
  const fixed = fixture(accountNumber);
  if (fixed) return fixed;

  const rng = new SeededRandom(mix32(BILLING_SEED ^ mix32(accountNumber)));
  const accountId = formatAccountId(accountNumber);
  // Timestamps only move forward: each event lands 1–30 days (plus some seconds) after the previous.
  let clock = at(rng.int(0, 299), rng.int(0, 86_399));
  const later = (): Date => (clock = new Date(clock.getTime() + rng.int(1, 30) * DAY_MS + rng.int(0, 86_399) * 1000));

  let subscription = newSubscription(accountId, rng.weighted(JOIN_WEIGHTS), clock);
  const changes = rng.weighted([
    [0, 60],
    [1, 28],
    [2, 12],
  ] as const);
  for (let i = 0; i < changes; i++) {
    const others = PLAN_IDS.filter((planId) => planId !== subscription.planId);
    subscription = withPlanChanged(subscription, rng.pick(others), later(), '');
  }
  if (rng.chance(0.05)) {
    // Canceled and came back, possibly on another plan: started_at is the reactivation.
    subscription = withCanceled(subscription, later(), '');
    subscription = withPlanChanged(subscription, rng.pick(PLAN_IDS), later(), '');
  }
  if (rng.chance(0.12)) subscription = withCanceled(subscription, later(), '');
  return subscription;
}

/** Subscriptions of `acct-0001` … `acct-<count>`, in account order; fresh objects on every call. */
export function generateSubscriptions(count: number = DEFAULT_ACCOUNT_COUNT): Subscription[] {
  if (!Number.isInteger(count) || count < 0 || count > MAX_ACCOUNT_COUNT) {
    throw new RangeError(`account count must be an integer between 0 and ${MAX_ACCOUNT_COUNT}, got ${count}`);
  }
  return Array.from({ length: count }, (_, i) => generateSubscription(i + 1));
}

/** A seed names each account once; checked before a store writes anything. */
export function requireDistinctAccounts(subscriptions: readonly Subscription[]): void {
  const seen = new Set<string>();
  for (const { accountId } of subscriptions) {
    if (seen.has(accountId)) throw new Error(`seedIfEmpty: duplicate account "${accountId}"`);
    seen.add(accountId);
  }
}
