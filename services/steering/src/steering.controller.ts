import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import {
  InvalidArgumentError,
  optionalIpAddress,
  optionalText,
  pageSize,
  requireCountry,
  requireId,
  requireText,
} from '@streamplane/platform';
import type {
  ClientInfo,
  EvacuateRegionRequest,
  EvacuateRegionResponse__Input,
  ListAppliancesRequest,
  ListAppliancesResponse__Input,
  PlanFillRequest,
  PlanFillResponse__Input,
  RestoreRegionRequest,
  RestoreRegionResponse__Input,
  SteerPlaybackRequest,
  SteerPlaybackResponse__Input,
} from '@streamplane/contracts/steering/v1';
import { DemandForecast } from './demand-forecast';
import {
  DEFAULT_APPLIANCE_PAGE_SIZE,
  DEFAULT_FILL_TITLES,
  DEFAULT_MAX_CANDIDATES,
  MAX_APPLIANCE_PAGE_SIZE,
  MAX_CANDIDATES,
  MAX_FILL_TITLES,
  Steering,
  type ClientPosition,
} from './domain';
import {
  toApplianceMessage,
  toCandidateMessage,
  toPlanFillEntryMessage,
  toRegionStateMessage,
} from './steering.messages';

const MAX_REGION_LENGTH = 64;
const MAX_PAGE_TOKEN_LENGTH = 1024;
/** The longest textual IPv6 address, with an IPv4 tail. */

/** streamplane.steering.v1.SteeringService: validates each request, asks the domain, maps the answer. */
@Controller()
export class SteeringController {
  constructor(
    private readonly steering: Steering,
    private readonly demand: DemandForecast,
  ) {}

  @GrpcMethod('SteeringService', 'SteerPlayback')
  steerPlayback(request: SteerPlaybackRequest): SteerPlaybackResponse__Input {
    const titleId = requireId(request.title_id, 'title_id');
    const client = clientPosition(request.client);
    const maxCandidates = pageSize(request.max_candidates, 'max_candidates', {
      defaultSize: DEFAULT_MAX_CANDIDATES,
      max: MAX_CANDIDATES,
    });
    const { candidates } = this.steering.steerPlayback({ titleId, client, maxCandidates });
    return { candidates: candidates.map(toCandidateMessage) };
  }

  @GrpcMethod('SteeringService', 'ListAppliances')
  listAppliances(request: ListAppliancesRequest): ListAppliancesResponse__Input {
    const page = this.steering.listAppliances({
      region: optionalText(request.region, 'region', MAX_REGION_LENGTH),
      pageSize: pageSize(request.page_size, 'page_size', {
        defaultSize: DEFAULT_APPLIANCE_PAGE_SIZE,
        max: MAX_APPLIANCE_PAGE_SIZE,
      }),
      pageToken: optionalText(request.page_token, 'page_token', MAX_PAGE_TOKEN_LENGTH),
    });
    return { appliances: page.items.map(toApplianceMessage), next_page_token: page.nextPageToken };
  }

  @GrpcMethod('SteeringService', 'EvacuateRegion')
  evacuateRegion(request: EvacuateRegionRequest): EvacuateRegionResponse__Input {
    const region = requireText(request.region, 'region', MAX_REGION_LENGTH);
    return { state: toRegionStateMessage(this.steering.evacuateRegion(region)) };
  }

  @GrpcMethod('SteeringService', 'RestoreRegion')
  restoreRegion(request: RestoreRegionRequest): RestoreRegionResponse__Input {
    const region = requireText(request.region, 'region', MAX_REGION_LENGTH);
    return { state: toRegionStateMessage(this.steering.restoreRegion(region)) };
  }

  @GrpcMethod('SteeringService', 'PlanFill')
  async planFill(request: PlanFillRequest): Promise<PlanFillResponse__Input> {
    const regionName = requireText(request.region, 'region', MAX_REGION_LENGTH);
    const maxTitles = pageSize(request.max_titles, 'max_titles', {
      defaultSize: DEFAULT_FILL_TITLES,
      max: MAX_FILL_TITLES,
    });
    // An unknown region is NOT_FOUND before recommendations is bothered.
    const region = this.steering.requireRegion(regionName).name;
    const demand = await this.demand.predict(region, maxTitles);
    return { region, entries: this.steering.planFill(region, demand).map(toPlanFillEntryMessage) };
  }
}

/** client and client.country are required; client.ip, when set, must be an IPv4 or IPv6 address. */
function clientPosition(client: ClientInfo | null | undefined): ClientPosition {
  if (!client) throw new InvalidArgumentError('client', 'is required (at least client.country)');
  optionalIpAddress(client.ip, 'client.ip');
  return { country: requireCountry(client.country, 'client.country'), asn: client.asn ?? 0 };
}
