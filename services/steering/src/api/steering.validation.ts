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
  ListAppliancesRequest,
  PlanFillRequest,
  SteerPlaybackRequest,
} from '@streamplane/contracts/steering/v1';
import {
  DEFAULT_APPLIANCE_PAGE_SIZE,
  DEFAULT_FILL_TITLES,
  DEFAULT_MAX_CANDIDATES,
  MAX_APPLIANCE_PAGE_SIZE,
  MAX_CANDIDATES,
  MAX_FILL_TITLES,
  type ClientPosition,
  type ListAppliancesQuery,
  type SteerRequest,
} from '../domain';

/**
 * Validation of streamplane.steering.v1 requests, each field checked once, here: INVALID_ARGUMENT naming
 * the field, in field order. Whether a region or title exists is the domain's NOT_FOUND.
 */

const MAX_REGION_LENGTH = 64;
const MAX_PAGE_TOKEN_LENGTH = 1024;

export function steerRequest(request: SteerPlaybackRequest): SteerRequest {
  const titleId = requireId(request.title_id, 'title_id');
  const client = clientPosition(request.client);
  const maxCandidates = pageSize(request.max_candidates, 'max_candidates', {
    defaultSize: DEFAULT_MAX_CANDIDATES,
    max: MAX_CANDIDATES,
  });
  return { titleId, client, maxCandidates };
}

export function listAppliancesQuery(request: ListAppliancesRequest): ListAppliancesQuery {
  return {
    region: optionalText(request.region, 'region', MAX_REGION_LENGTH),
    pageSize: pageSize(request.page_size, 'page_size', {
      defaultSize: DEFAULT_APPLIANCE_PAGE_SIZE,
      max: MAX_APPLIANCE_PAGE_SIZE,
    }),
    pageToken: optionalText(request.page_token, 'page_token', MAX_PAGE_TOKEN_LENGTH),
  };
}

/** The region of EvacuateRegion and RestoreRegion. */
export function regionName(request: { region?: string }): string {
  return requireText(request.region, 'region', MAX_REGION_LENGTH);
}

export function planFillQuery(request: PlanFillRequest): { region: string; maxTitles: number } {
  return {
    region: regionName(request),
    maxTitles: pageSize(request.max_titles, 'max_titles', { defaultSize: DEFAULT_FILL_TITLES, max: MAX_FILL_TITLES }),
  };
}

/** client and client.country are required; client.ip, when set, must be an IPv4 or IPv6 address. */
function clientPosition(client: ClientInfo | null | undefined): ClientPosition {
  if (!client) throw new InvalidArgumentError('client', 'is required (at least client.country)');
  optionalIpAddress(client.ip, 'client.ip');
  return { country: requireCountry(client.country, 'client.country'), asn: client.asn ?? 0 };
}
