/**
 * The network regions of the fleet, shared by steering (where appliances sit, where clients are steered,
 * which region takes over during an evacuation) and recommendations (whose demand a region serves). Each
 * of the 30 countries Streamplane operates in has exactly one home region; the failover region serves a
 * region's clients while it is evacuated.
 */
export interface NetworkRegion {
  readonly name: string;
  readonly failover: string;
  /** Countries (ISO 3166-1 alpha-2) whose clients this region serves. */
  readonly homeCountries: readonly string[];
}

export const NETWORK_REGIONS: readonly NetworkRegion[] = [
  { name: 'us-east', failover: 'us-west', homeCountries: ['AR', 'BR', 'CA', 'CL', 'CO', 'US'] },
  { name: 'us-west', failover: 'us-east', homeCountries: ['AU', 'JP', 'KR', 'MX', 'NZ'] },
  {
    name: 'eu-west',
    failover: 'us-east',
    homeCountries: ['DE', 'DK', 'ES', 'FR', 'GB', 'IE', 'IT', 'NL', 'NO', 'PL', 'PT', 'SE'],
  },
  { name: 'ap-south', failover: 'eu-west', homeCountries: ['AE', 'EG', 'IN', 'NG', 'SG', 'TR', 'ZA'] },
];

const BY_NAME = new Map(NETWORK_REGIONS.map((region) => [region.name, region]));
const BY_COUNTRY = new Map(
  NETWORK_REGIONS.flatMap((region) => region.homeCountries.map((country) => [country, region] as const)),
);

/** The region called `name`, or undefined. */
export function networkRegion(name: string): NetworkRegion | undefined {
  return BY_NAME.get(name);
}

/** The home region of a country; undefined for a country Streamplane does not operate in. */
export function homeRegionOf(country: string): NetworkRegion | undefined {
  return BY_COUNTRY.get(country.toUpperCase());
}
