import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { boundedList, optionalInteger, optionalText, requireId } from '@streamplane/platform';
import type {
  CreateProfileRequest,
  DeleteProfileRequest,
  DeleteProfileResponse__Input,
  GetProfileRequest,
  GetViewingHistoryRequest,
  GetViewingHistoryResponse__Input,
  ListProfilesRequest,
  ListProfilesResponse__Input,
  Profile__Input,
  RecordViewingProgressRequest,
  RecordViewingProgressResponse__Input,
  UpdateProfileRequest,
} from '@streamplane/contracts/profiles/v1';
import { MAX_NAME_LENGTH, ProfilesDomain } from './domain';
import { toHistoryEntryMessage, toProfileMessage } from './profiles.messages';
import { TitleRuntimes } from './title-runtimes';

const MAX_TEXT = 1024;
const MAX_MASK_PATHS = 16;
const POSITION = { min: -2_147_483_648, max: 2_147_483_647 };

/** streamplane.profiles.v1.ProfilesService: validates each request, asks the domain, maps the answer. */
@Controller()
export class ProfilesController {
  constructor(
    private readonly profiles: ProfilesDomain,
    private readonly runtimes: TitleRuntimes,
  ) {}

  @GrpcMethod('ProfilesService', 'GetProfile')
  async getProfile(request: GetProfileRequest): Promise<Profile__Input> {
    return toProfileMessage(await this.profiles.getProfile(requireId(request.profile_id, 'profile_id')));
  }

  @GrpcMethod('ProfilesService', 'ListProfiles')
  async listProfiles(request: ListProfilesRequest): Promise<ListProfilesResponse__Input> {
    const page = await this.profiles.listProfiles(
      requireId(request.account_id, 'account_id'),
      request.page_size,
      optionalText(request.page_token, 'page_token', MAX_TEXT),
    );
    return { profiles: page.profiles.map(toProfileMessage), next_page_token: page.nextPageToken };
  }

  @GrpcMethod('ProfilesService', 'CreateProfile')
  async createProfile(request: CreateProfileRequest): Promise<Profile__Input> {
    const profile = await this.profiles.createProfile({
      accountId: requireId(request.account_id, 'account_id'),
      name: optionalText(request.name, 'name', MAX_NAME_LENGTH * 4),
      maturityLevel: request.maturity_level,
      kids: request.kids,
      language: optionalText(request.language, 'language', MAX_TEXT),
      avatar: optionalText(request.avatar, 'avatar', MAX_TEXT),
    });
    return toProfileMessage(profile);
  }

  @GrpcMethod('ProfilesService', 'UpdateProfile')
  async updateProfile(request: UpdateProfileRequest): Promise<Profile__Input> {
    const changes = request.profile;
    const profileId = requireId(changes?.profile_id, 'profile.profile_id');
    const mask = boundedList(request.update_mask?.paths, 'update_mask.paths', { max: MAX_MASK_PATHS }, (path, field) =>
      optionalText(path, field, 64),
    );
    const updated = await this.profiles.updateProfile(
      profileId,
      {
        name: changes?.name,
        maturityLevel: changes?.maturity_level,
        kids: changes?.kids,
        language: changes?.language,
        avatar: changes?.avatar,
      },
      mask,
    );
    return toProfileMessage(updated);
  }

  @GrpcMethod('ProfilesService', 'DeleteProfile')
  async deleteProfile(request: DeleteProfileRequest): Promise<DeleteProfileResponse__Input> {
    await this.profiles.deleteProfile(requireId(request.profile_id, 'profile_id'));
    return {};
  }

  @GrpcMethod('ProfilesService', 'RecordViewingProgress')
  async recordViewingProgress(request: RecordViewingProgressRequest): Promise<RecordViewingProgressResponse__Input> {
    const profileId = requireId(request.profile_id, 'profile_id');
    const titleId = requireId(request.title_id, 'title_id');
    const position = optionalInteger(request.position_seconds, 'position_seconds', POSITION) ?? 0;
    // The profile is checked first: an unknown profile is NOT_FOUND without a trip to catalog.
    await this.profiles.getProfile(profileId);
    const runtimeSeconds = await this.runtimes.secondsOf(titleId);
    const entry = await this.profiles.recordViewingProgress(profileId, titleId, position, runtimeSeconds);
    return { entry: toHistoryEntryMessage(entry) };
  }

  @GrpcMethod('ProfilesService', 'GetViewingHistory')
  async getViewingHistory(request: GetViewingHistoryRequest): Promise<GetViewingHistoryResponse__Input> {
    const page = await this.profiles.viewingHistory(
      requireId(request.profile_id, 'profile_id'),
      request.page_size,
      optionalText(request.page_token, 'page_token', MAX_TEXT),
    );
    return { entries: page.entries.map(toHistoryEntryMessage), next_page_token: page.nextPageToken };
  }
}
