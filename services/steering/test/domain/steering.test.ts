import { verifyCdnUrl, homeRegionOf, NETWORK_REGIONS, SeededRandom } from '@streamplane/streaming';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from '@streamplane/platform/errors';
import { ispAsnsOf, TitleSet, URL_LIFETIME_MS, type Appliance, type Steering } from '../../src/domain';
import { CDN_SECRET, NOW, seededFleet, smallFleet, steeringOver, type ApplianceSpec } from './fixtures';

const US_ISP = 20250;
const OTHER_US_ISP = 20251;

/**
 * A US client of ISP 20250 asking for tt00001: two of its ISP's caches, two exchanges in the US, one in
 * Canada (same region), an origin per region, and decoys that must never be chosen.
 */
const RANKING_FLEET: ApplianceSpec[] = [
  { id: 'emb-busy', asn: US_ISP, load: 0.9, titles: ['tt00001'] },
  { id: 'emb-idle', asn: US_ISP, load: 0.2, titles: ['tt00001'] },
  { id: 'emb-other-isp', asn: OTHER_US_ISP, load: 0, titles: ['tt00001'] },
  { id: 'emb-sick', asn: US_ISP, load: 0, healthy: false, titles: ['tt00001'] },
  { id: 'emb-lacking', asn: US_ISP, load: 0, titles: ['tt00002'] },
  { id: 'ix-us-b', siteType: 'INTERNET_EXCHANGE', load: 0.3, titles: ['tt00001'] },
  { id: 'ix-us-a', siteType: 'INTERNET_EXCHANGE', load: 0.3, titles: ['tt00001'] },
  { id: 'ix-ca', siteType: 'INTERNET_EXCHANGE', country: 'CA', load: 0.1, titles: ['tt00001'] },
  { id: 'ix-us-lacking', siteType: 'INTERNET_EXCHANGE', load: 0, titles: [] },
  { id: 'origin-us-east', siteType: 'ORIGIN', load: 0.5 },
  { id: 'ix-mx', siteType: 'INTERNET_EXCHANGE', region: 'us-west', country: 'MX', load: 0.4, titles: ['tt00001'] },
  { id: 'origin-us-west', siteType: 'ORIGIN', region: 'us-west', country: 'MX', load: 0.2 },
  { id: 'origin-eu-west', siteType: 'ORIGIN', region: 'eu-west', country: 'DE' },
  { id: 'origin-ap-south', siteType: 'ORIGIN', region: 'ap-south', country: 'IN' },
];

function ranked(steering: Steering, country: string, asn: number, maxCandidates = 10, titleId = 'tt00001'): string[] {
  return steering
    .steerPlayback({ titleId, client: { country, asn }, maxCandidates })
    .candidates.map((candidate) => candidate.applianceId);
}

describe('SteerPlayback ranking', () => {
  let steering: Steering;

  beforeEach(() => {
    steering = steeringOver(smallFleet(RANKING_FLEET));
  });

  it('prefers the client’s ISP, then exchanges in its country, then in its region, then origins', () => {
    expect(ranked(steering, 'US', US_ISP)).toEqual([
      'emb-idle',
      'emb-busy',
      'ix-us-a',
      'ix-us-b',
      'ix-ca',
      'origin-us-east',
      'origin-us-west',
      'origin-eu-west',
      'origin-ap-south',
    ]);
  });

  it('orders equals least loaded first, then by id, and numbers ranks from 1', () => {
    const { candidates } = steering.steerPlayback({
      titleId: 'tt00001',
      client: { country: 'US', asn: US_ISP },
      maxCandidates: 4,
    });
    expect(candidates.map((candidate) => [candidate.rank, candidate.applianceId, candidate.siteType])).toEqual([
      [1, 'emb-idle', 'EMBEDDED_ISP'],
      [2, 'emb-busy', 'EMBEDDED_ISP'],
      [3, 'ix-us-a', 'INTERNET_EXCHANGE'],
      [4, 'ix-us-b', 'INTERNET_EXCHANGE'],
    ]);
  });

  it('gives no ISP preference without an ASN, and none for an ISP without caches', () => {
    expect(ranked(steering, 'US', 0, 3)).toEqual(['ix-us-a', 'ix-us-b', 'ix-ca']);
    expect(ranked(steering, 'US', 64999, 3)).toEqual(['ix-us-a', 'ix-us-b', 'ix-ca']);
  });

  it('cuts the list at max_candidates', () => {
    expect(ranked(steering, 'US', US_ISP, 1)).toEqual(['emb-idle']);
    expect(ranked(steering, 'US', US_ISP, 3)).toHaveLength(3);
  });

  it('never returns an unhealthy appliance or one that lacks the title', () => {
    const everyone = ranked(steering, 'US', US_ISP);
    for (const decoy of ['emb-sick', 'emb-lacking', 'ix-us-lacking', 'emb-other-isp']) {
      expect(everyone).not.toContain(decoy);
    }
    expect(ranked(steering, 'US', US_ISP, 10, 'tt00002')).toEqual([
      'emb-lacking',
      'origin-us-east',
      'origin-us-west',
      'origin-eu-west',
      'origin-ap-south',
    ]);
  });

  it('serves an evacuated region’s clients from its failover region, never from the evacuated one', () => {
    steering.evacuateRegion('us-east');
    const { servingRegion, candidates } = steering.steerPlayback({
      titleId: 'tt00001',
      client: { country: 'US', asn: US_ISP },
      maxCandidates: 10,
    });
    expect(servingRegion).toBe('us-west');
    expect(candidates.map((candidate) => [candidate.applianceId, candidate.region])).toEqual([
      ['ix-mx', 'us-west'],
      ['origin-us-west', 'us-west'],
      ['origin-eu-west', 'eu-west'],
      ['origin-ap-south', 'ap-south'],
    ]);
    steering.restoreRegion('us-east');
    expect(ranked(steering, 'US', US_ISP, 1)).toEqual(['emb-idle']);
  });

  it('follows the failover chain past evacuated regions, then any region in rotation', () => {
    steering.evacuateRegion('us-east');
    steering.evacuateRegion('us-west');
    // us-east fails over to us-west, whose failover is us-east again: the next region in rotation serves.
    const decision = steering.steerPlayback({
      titleId: 'tt00001',
      client: { country: 'US', asn: 0 },
      maxCandidates: 3,
    });
    expect(decision.servingRegion).toBe('eu-west');
    expect(decision.candidates.map((candidate) => candidate.applianceId)).toEqual([
      'origin-eu-west',
      'origin-ap-south',
    ]);
    steering.evacuateRegion('eu-west');
    expect(ranked(steering, 'DE', 0)).toEqual(['origin-ap-south']);
  });

  it('answers NOT_FOUND for a title no appliance holds, naming it', () => {
    const onlyEmbedded = steeringOver(smallFleet([{ id: 'emb', titles: ['tt00001'] }]));
    for (const titleId of ['tt00002', 'tt99999', 'tt00000', 'not-a-title']) {
      expect(() =>
        onlyEmbedded.steerPlayback({ titleId, client: { country: 'US', asn: 0 }, maxCandidates: 3 }),
      ).toThrow(new NotFoundError('title', titleId));
    }
  });

  it('answers FAILED_PRECONDITION when every holder is unhealthy or evacuated', () => {
    const fragile = steeringOver(
      smallFleet([
        { id: 'emb-sick', healthy: false, titles: ['tt00001'] },
        { id: 'ix-us', siteType: 'INTERNET_EXCHANGE', titles: ['tt00002'] },
        { id: 'ix-de', siteType: 'INTERNET_EXCHANGE', region: 'eu-west', country: 'DE', titles: ['tt00003'] },
      ]),
    );
    const steer = (titleId: string, country: string) => () =>
      fragile.steerPlayback({ titleId, client: { country, asn: US_ISP }, maxCandidates: 3 });
    expect(steer('tt00001', 'US')).toThrow(FailedPreconditionError);
    expect(steer('tt00001', 'US')).toThrow('every appliance holding title "tt00001" is unhealthy or evacuated');
    expect(steer('tt00002', 'US')().candidates.map((candidate) => candidate.applianceId)).toEqual(['ix-us']);
    fragile.evacuateRegion('us-east');
    expect(steer('tt00002', 'US')).toThrow(FailedPreconditionError);
    expect(steer('tt00002', 'DE')).toThrow(FailedPreconditionError);
    expect(steer('tt00003', 'DE')().candidates.map((candidate) => candidate.applianceId)).toEqual(['ix-de']);
  });

  it('rejects a country Streamplane does not serve, naming client.country', () => {
    expect(() =>
      steering.steerPlayback({ titleId: 'tt00001', client: { country: 'ZZ', asn: 0 }, maxCandidates: 3 }),
    ).toThrow(new InvalidArgumentError('client.country', '"ZZ" is not a country Streamplane serves'));
  });

  it('signs every URL for the appliance and title, expiring one hour after issue', () => {
    const { candidates } = steering.steerPlayback({
      titleId: 'tt00001',
      client: { country: 'US', asn: US_ISP },
      maxCandidates: 3,
    });
    const expiresAt = new Date(Math.floor(NOW.getTime() / 1000) * 1000 + URL_LIFETIME_MS);
    for (const candidate of candidates) {
      expect(candidate.expiresAt).toEqual(expiresAt);
      expect(candidate.url).toContain(`https://${candidate.applianceId}.`);
      expect(candidate.url).toContain('/titles/tt00001?');
      expect(candidate.url).toContain(`expires=${expiresAt.getTime() / 1000}`);
      expect(verifyCdnUrl(candidate.url, CDN_SECRET, NOW)).toBe(true);
      expect(verifyCdnUrl(candidate.url, 'another-secret-of-some-length', NOW)).toBe(false);
      expect(verifyCdnUrl(candidate.url, CDN_SECRET, new Date(expiresAt.getTime() + 1000))).toBe(false);
    }
  });
});

describe('SteerPlayback over the seeded fleet', () => {
  const fleet = seededFleet();
  const countries = NETWORK_REGIONS.flatMap((region) => region.homeCountries);

  /** Random clients: a served country, one of its ISPs (or none), any title. */
  function* clients(count: number) {
    const random = new SeededRandom('steering-test-clients');
    for (let i = 0; i < count; i++) {
      const country = random.pick(countries);
      const asn = random.chance(0.8) ? random.pick(ispAsnsOf(country)) : 0;
      yield { country, asn, titleId: fleet.titles.idOf(random.int(0, fleet.titles.count - 1)) };
    }
  }

  it('returns only healthy holders in rotation, ISP caches first, never more than asked', () => {
    const steering = steeringOver(fleet);
    steering.evacuateRegion('eu-west');
    const byId = new Map(fleet.appliances.map((appliance) => [appliance.applianceId, appliance]));
    const tierOf: Record<Appliance['siteType'], number> = { EMBEDDED_ISP: 1, INTERNET_EXCHANGE: 2, ORIGIN: 3 };
    const problems: string[] = [];
    for (const { country, asn, titleId } of clients(300)) {
      const title = fleet.titles.indexOf(titleId)!;
      const { candidates } = steering.steerPlayback({ titleId, client: { country, asn }, maxCandidates: 5 });
      const chosen = candidates.map((candidate) => byId.get(candidate.applianceId)!);
      if (candidates.length < 1 || candidates.length > 5) problems.push(`${titleId}: ${candidates.length} candidates`);
      for (const appliance of chosen) {
        if (!appliance.healthy || !appliance.cachedTitles.has(title) || appliance.region === 'eu-west') {
          problems.push(`${appliance.applianceId} for ${titleId}`);
        }
        if (appliance.siteType === 'EMBEDDED_ISP' && appliance.asn !== asn) problems.push(`foreign ISP ${asn}`);
      }
      const tiers = chosen.map((appliance) => tierOf[appliance.siteType]);
      if (tiers.some((tier, index) => index > 0 && tier < tiers[index - 1]!)) problems.push(`order ${tiers}`);
      const homeIsUp = homeRegionOf(country)!.name !== 'eu-west';
      if (homeIsUp && asn !== 0 && fleet.embeddedIn(asn).some((a) => a.healthy && a.cachedTitles.has(title))) {
        if (chosen[0]!.asn !== asn) problems.push(`${country}/${asn}: ISP cache not first for ${titleId}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('looks at a few index buckets, never the fleet', () => {
    const steering = steeringOver(fleet);
    const bitTests = jest.spyOn(TitleSet.prototype, 'has');
    try {
      let mostExamined = 0;
      let mostBitTests = 0;
      for (const { country, asn, titleId } of clients(300)) {
        bitTests.mockClear();
        const { appliancesExamined } = steering.steerPlayback({ titleId, client: { country, asn }, maxCandidates: 10 });
        mostExamined = Math.max(mostExamined, appliancesExamined);
        mostBitTests = Math.max(mostBitTests, bitTests.mock.calls.length);
      }
      // The worst case is a rare title for the largest ISP: its bucket plus its region's exchanges.
      const largestBucket = Math.max(
        ...countries.flatMap((country) => ispAsnsOf(country).map((asn) => fleet.embeddedIn(asn).length)),
      );
      expect(mostBitTests).toBeGreaterThan(0);
      expect(mostBitTests).toBeLessThanOrEqual(mostExamined);
      expect(mostExamined).toBeLessThan(largestBucket + 300);
      expect(mostExamined).toBeLessThan(fleet.appliances.length / 10);
    } finally {
      bitTests.mockRestore();
    }
  });
});
