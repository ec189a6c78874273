import { toTimestamp } from '@streamplane/platform';
import type {
  Appliance__Input,
  Candidate__Input,
  PlanFillEntry__Input,
  PlanFillResponse__Input,
  RegionState__Input,
} from '@streamplane/contracts/steering/v1';
import type { FillPlan } from '../application/plan-fill';
import type { Appliance, Candidate, FillEntry, RegionStatus, SiteType } from '../domain';

/** Mapping from steering domain objects to streamplane.steering.v1 messages (64-bit counts as strings). */
function toSiteTypeName(siteType: SiteType): `SITE_TYPE_${SiteType}` {
  return `SITE_TYPE_${siteType}`;
}

export function toApplianceMessage(appliance: Appliance): Appliance__Input {
  return {
    appliance_id: appliance.applianceId,
    region: appliance.region,
    country: appliance.country,
    asn: appliance.asn,
    site_type: toSiteTypeName(appliance.siteType),
    capacity_gbps: appliance.capacityGbps,
    storage_capacity_bytes: String(appliance.storageCapacityBytes),
    storage_used_bytes: String(appliance.storageUsedBytes),
    load: appliance.load,
    healthy: appliance.healthy,
    cached_title_count: appliance.cachedTitles.size,
  };
}

export function toCandidateMessage(candidate: Candidate): Candidate__Input {
  return {
    appliance_id: candidate.applianceId,
    url: candidate.url,
    site_type: toSiteTypeName(candidate.siteType),
    region: candidate.region,
    rank: candidate.rank,
    expires_at: toTimestamp(candidate.expiresAt),
  };
}

export function toRegionStateMessage(state: RegionStatus): RegionState__Input {
  return {
    region: state.region,
    evacuated: state.evacuated,
    failover_region: state.failoverRegion,
    appliance_count: state.applianceCount,
    healthy_appliance_count: state.healthyApplianceCount,
    change_time: state.changeTime ? toTimestamp(state.changeTime) : null,
  };
}

export function toPlanFillEntryMessage(entry: FillEntry): PlanFillEntry__Input {
  return { appliance_id: entry.applianceId, title_ids: entry.titleIds, bytes: String(entry.bytes) };
}

export function toPlanFillResponse(plan: FillPlan): PlanFillResponse__Input {
  return { region: plan.region, entries: plan.entries.map(toPlanFillEntryMessage) };
}
