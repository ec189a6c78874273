import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { boundedList, optionalText, requireId } from '@streamplane/platform';
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
import { ViewingProgress } from '../application/viewing-progress';
import { MAX_NAME_LENGTH, ProfilesDomain } from '../domain';
import {
  toListProfilesResponse,
  toProfileMessage,
  toProfileUpdate,
  toRecordViewingProgressResponse,
  toViewingHistoryResponse,
} from './profiles.mappers';

/** Longest free-text field read before the domain normalises it: bounds the work a request can ask for. */
const MAX_TEXT = 1024;
const MAX_MASK_PATHS = 16;
const MAX_MASK_PATH_LENGTH = 64;

/**
 * streamplane.profiles.v1.ProfilesService: checks the ids and the shape of each request, asks the domain
 * (or, for viewing progress, the application, which also asks catalog) and maps the answer. Field rules
 * (names, maturity, languages, positions against the runtime, page sizes) are the domain's.
 */
@Controller()
export class ProfilesController {
  constructor(
    private readonly profiles: ProfilesDomain,
    private readonly viewingProgress: ViewingProgress,
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
    return toListProfilesResponse(page);
  }

  @GrpcMethod('ProfilesService', 'CreateProfile')
  async createProfile(request: CreateProfileRequest): Promise<Profile__Input> {
    const profile = await this.profiles.createProfile({
      accountId: requireId(request.account_id, 'account_id'),
      // Up to four UTF-16 units per character: the domain counts characters once the name is normalised.
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
    const profileId = requireId(request.profile?.profile_id, 'profile.profile_id');
    const mask = boundedList(request.update_mask?.paths, 'update_mask.paths', { max: MAX_MASK_PATHS }, (path, field) =>
      optionalText(path, field, MAX_MASK_PATH_LENGTH),
    );
    return toProfileMessage(await this.profiles.updateProfile(profileId, toProfileUpdate(request.profile), mask));
  }

  @GrpcMethod('ProfilesService', 'DeleteProfile')
  async deleteProfile(request: DeleteProfileRequest): Promise<DeleteProfileResponse__Input> {
    await this.profiles.deleteProfile(requireId(request.profile_id, 'profile_id'));
    return {};
  }

  @GrpcMethod('ProfilesService', 'RecordViewingProgress')
  async recordViewingProgress(request: RecordViewingProgressRequest): Promise<RecordViewingProgressResponse__Input> {
    const entry = await this.viewingProgress.record(
      requireId(request.profile_id, 'profile_id'),
      requireId(request.title_id, 'title_id'),
      // Checked once, by the domain: whole, not negative, within the title's runtime.
      request.position_seconds,
    );
    return toRecordViewingProgressResponse(entry);
  }

  @GrpcMethod('ProfilesService', 'GetViewingHistory')
  async getViewingHistory(request: GetViewingHistoryRequest): Promise<GetViewingHistoryResponse__Input> {
    const page = await this.profiles.viewingHistory(
      requireId(request.profile_id, 'profile_id'),
      request.page_size,
      optionalText(request.page_token, 'page_token', MAX_TEXT),
    );
    return toViewingHistoryResponse(page);
  }
}
