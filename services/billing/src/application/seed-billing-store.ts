import { DEFAULT_ACCOUNT_COUNT, generateSubscriptions } from '../domain';
import type { BillingStore } from './billing-store';

/** Fills an empty store with the seed; a store that already holds data is left alone. Returns whether it seeded. */
export async function seedBillingStore(store: BillingStore, count: number = DEFAULT_ACCOUNT_COUNT): Promise<boolean> {
  return store.seedIfEmpty(generateSubscriptions(count));
}
