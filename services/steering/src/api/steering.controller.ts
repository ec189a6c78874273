import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type {
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
import { FillPlanner } from '../application/plan-fill';
import { Steering } from '../domain';
import { toApplianceMessage, toCandidateMessage, toPlanFillResponse, toRegionStateMessage } from './steering.mappers';
import { listAppliancesQuery, planFillQuery, regionName, steerRequest } from './steering.validation';

/** streamplane.steering.v1.SteeringService: validates each request, asks steering, maps the answer. */
@Controller()
export class SteeringController {
  constructor(
    private readonly steering: Steering,
    private readonly fillPlanner: FillPlanner,
  ) {}

  @GrpcMethod('SteeringService', 'SteerPlayback')
  steerPlayback(request: SteerPlaybackRequest): SteerPlaybackResponse__Input {
    const { candidates } = this.steering.steerPlayback(steerRequest(request));
    return { candidates: candidates.map(toCandidateMessage) };
  }

  @GrpcMethod('SteeringService', 'ListAppliances')
  listAppliances(request: ListAppliancesRequest): ListAppliancesResponse__Input {
    const page = this.steering.listAppliances(listAppliancesQuery(request));
    return { appliances: page.items.map(toApplianceMessage), next_page_token: page.nextPageToken };
  }

  @GrpcMethod('SteeringService', 'EvacuateRegion')
  evacuateRegion(request: EvacuateRegionRequest): EvacuateRegionResponse__Input {
    return { state: toRegionStateMessage(this.steering.evacuateRegion(regionName(request))) };
  }

  @GrpcMethod('SteeringService', 'RestoreRegion')
  restoreRegion(request: RestoreRegionRequest): RestoreRegionResponse__Input {
    return { state: toRegionStateMessage(this.steering.restoreRegion(regionName(request))) };
  }

  @GrpcMethod('SteeringService', 'PlanFill')
  async planFill(request: PlanFillRequest): Promise<PlanFillResponse__Input> {
    const { region, maxTitles } = planFillQuery(request);
    return toPlanFillResponse(await this.fillPlanner.planFill(region, maxTitles));
  }
}
