import { NotFoundError, UnavailableError } from '@streamplane/platform/errors';
import { FillPlanner } from '../../src/application/plan-fill';
import type { DemandForecast } from '../../src/application/ports';
import { planCacheFill, type DemandPrediction } from '../../src/domain';
import { seededFleet, smallFleet, steeringOver } from '../domain/fixtures';

/** A forecast that answers `answer` for every region (or fails with it) and records what it was asked. */
class FakeDemand implements DemandForecast {
  readonly asked: [region: string, limit: number][] = [];

  constructor(private readonly answer: DemandPrediction[] | Error) {}

  predict(region: string, limit: number): Promise<DemandPrediction[]> {
    this.asked.push([region, limit]);
    return this.answer instanceof Error ? Promise.reject(this.answer) : Promise.resolve(this.answer.slice(0, limit));
  }
}

const DEMAND: DemandPrediction[] = [
  { titleId: 'tt00007', expectedPlays: 1000 },
  { titleId: 'tt00042', expectedPlays: 500 },
  { titleId: 'tt00003', expectedPlays: 250 },
];

describe('FillPlanner', () => {
  it('asks the forecast once for the region’s demand and plans the fill from it', async () => {
    const fleet = smallFleet([
      { id: 'oca-us-east-isp-1', titles: ['tt00007'] },
      { id: 'oca-us-east-isp-2' },
      { id: 'oca-us-east-ix-1', siteType: 'INTERNET_EXCHANGE' },
      { id: 'oca-us-east-origin-1', siteType: 'ORIGIN' },
      { id: 'oca-us-west-isp-1', region: 'us-west' },
    ]);
    const demand = new FakeDemand(DEMAND);
    const planner = new FillPlanner(steeringOver(fleet), demand);

    const plan = await planner.planFill('us-east', 2);

    expect(demand.asked).toEqual([['us-east', 2]]);
    expect(plan.region).toBe('us-east');
    expect(plan.entries).toEqual(planCacheFill(DEMAND.slice(0, 2), fleet.inRegion('us-east'), fleet.titles));
    expect(plan.entries.map((entry) => entry.applianceId)).toEqual([
      'oca-us-east-isp-1',
      'oca-us-east-isp-2',
      'oca-us-east-ix-1',
    ]);
    expect(plan.entries[0]!.titleIds).toEqual(['tt00042']);
    expect(plan.entries[1]!.titleIds).toEqual(['tt00007', 'tt00042']);
  });

  it('plans over the seeded fleet, with only predicted titles on the region’s appliances', async () => {
    const demand = new FakeDemand(DEMAND);
    const plan = await new FillPlanner(steeringOver(seededFleet()), demand).planFill('eu-west', 500);
    expect(demand.asked).toEqual([['eu-west', 500]]);
    expect(plan.entries.length).toBeGreaterThan(0);
    for (const entry of plan.entries) {
      expect(entry.applianceId).toMatch(/^oca-eu-west-/);
      expect(entry.titleIds.every((id) => DEMAND.some((prediction) => prediction.titleId === id))).toBe(true);
    }
  });

  it('answers NOT_FOUND for an unknown region without asking the forecast', async () => {
    const demand = new FakeDemand(DEMAND);
    await expect(new FillPlanner(steeringOver(seededFleet()), demand).planFill('mars', 10)).rejects.toEqual(
      new NotFoundError('region', 'mars'),
    );
    expect(demand.asked).toHaveLength(0);
  });

  it('fails with the forecast’s UNAVAILABLE when it fails closed, planning nothing', async () => {
    const closed = new UnavailableError('recommendations cannot predict demand: scripted UNAVAILABLE');
    const demand = new FakeDemand(closed);
    await expect(new FillPlanner(steeringOver(seededFleet()), demand).planFill('us-west', 10)).rejects.toBe(closed);
    expect(demand.asked).toEqual([['us-west', 10]]);
  });
});
