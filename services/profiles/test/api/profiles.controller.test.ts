import { InvalidArgumentError } from '@streamplane/platform/errors';
import type {
  CreateProfileRequest,
  GetViewingHistoryRequest,
  ListProfilesRequest,
  RecordViewingProgressRequest,
  UpdateProfileRequest,
} from '@streamplane/contracts/profiles/v1';
import { expectRejects, ManualClock } from '@streamplane/testkit';
import { InMemoryProfileStore } from '../../src/adapters/in-memory-profile-store';
import { ProfilesController } from '../../src/api/profiles.controller';
import type { TitleRuntimes } from '../../src/application/ports';
import { ViewingProgress } from '../../src/application/viewing-progress';
import { ProfilesDomain } from '../../src/domain';

/**
 * The controller in process, over the in-memory store and a runtimes port that counts its calls: ids are
 * checked here, once, before the domain or catalog is asked anything.
 */
describe('ProfilesController', () => {
  let store: InMemoryProfileStore;
  let controller: ProfilesController;
  let asked: string[];

  beforeEach(async () => {
    asked = [];
    store = new InMemoryProfileStore();
    await store.addAccount('acct-a');
    const domain = new ProfilesDomain(store, { clock: new ManualClock() });
    await domain.createProfile({ accountId: 'acct-a', name: 'Anna' });
    const runtimes: TitleRuntimes = {
      secondsOf: async (titleId) => {
        asked.push(titleId);
        return 3600;
      },
    };
    controller = new ProfilesController(domain, new ViewingProgress(domain, runtimes));
  });

  it('rejects an empty account_id on create with InvalidArgument on account_id', async () => {
    const request = { account_id: '', name: 'A' } as CreateProfileRequest;
    const error = await expectRejects(
      controller.createProfile(request),
      InvalidArgumentError,
      'account_id: ',
      'is required',
    );
    expect((error as InvalidArgumentError).field).toBe('account_id');
    expect(await store.listProfiles('acct-a')).toHaveLength(1);
    expect(asked).toEqual([]);
  });

  it('rejects empty ids on every call, naming the field', async () => {
    await expectRejects(controller.getProfile({ profile_id: '' }), InvalidArgumentError, 'profile_id: is required');
    await expectRejects(
      controller.listProfiles({ account_id: '' } as ListProfilesRequest),
      InvalidArgumentError,
      'account_id: is required',
    );
    await expectRejects(controller.deleteProfile({ profile_id: '' }), InvalidArgumentError, 'profile_id');
    await expectRejects(
      controller.updateProfile({
        profile: { profile_id: '', name: 'A' },
        update_mask: { paths: ['name'] },
      } as UpdateProfileRequest),
      InvalidArgumentError,
      'profile_id',
    );
    await expectRejects(
      controller.recordViewingProgress({ profile_id: '', title_id: 'tt00001', position_seconds: 1 }),
      InvalidArgumentError,
      'profile_id',
    );
    await expectRejects(
      controller.recordViewingProgress({ profile_id: 'acct-a-p1', title_id: '', position_seconds: 1 }),
      InvalidArgumentError,
      'title_id',
    );
    await expectRejects(
      controller.getViewingHistory({ profile_id: '' } as GetViewingHistoryRequest),
      InvalidArgumentError,
      'profile_id',
    );
    expect((await controller.getProfile({ profile_id: 'acct-a-p1' })).name).toBe('Anna');
    expect(asked).toEqual([]);
  });

  it('records viewing progress through the application and maps the entry to its message', async () => {
    const request: RecordViewingProgressRequest = {
      profile_id: 'acct-a-p1',
      title_id: 'tt00001',
      position_seconds: 3420,
    };
    const { entry } = await controller.recordViewingProgress(request);
    expect(entry).toEqual({
      title_id: 'tt00001',
      position_seconds: 3420,
      runtime_seconds: 3600,
      completed: true,
      watched_at: { seconds: String(Date.UTC(2026, 0, 1) / 1000), nanos: 0 },
    });
    expect(asked).toEqual(['tt00001']);
  });
});
