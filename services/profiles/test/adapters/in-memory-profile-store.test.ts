import { InMemoryProfileStore } from '../../src/adapters/in-memory-profile-store';
import { describeProfileStoreContract } from './profile-store.contract';

describeProfileStoreContract('InMemoryProfileStore', async (options) => new InMemoryProfileStore(options));

describe('InMemoryProfileStore', () => {
  it('rejects a history cap that is not a positive integer', () => {
    expect(() => new InMemoryProfileStore({ historyCap: 0 })).toThrow(RangeError);
    expect(() => new InMemoryProfileStore({ historyCap: 1.5 })).toThrow(RangeError);
  });
});
