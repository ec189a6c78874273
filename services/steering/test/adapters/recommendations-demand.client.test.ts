import { status } from '@grpc/grpc-js';
import { SERVICES, type ServiceDefinitions } from '@streamplane/contracts';
import { Logger, ServiceClients } from '@streamplane/platform';
import { ResourceExhaustedError, UnavailableError } from '@streamplane/platform/errors';
import { fail, ok, ScriptedServer } from '@streamplane/testkit';
import { RecommendationsDemandClient } from '../../src/adapters/recommendations-demand.client';
import { DEPENDENCIES } from '../../src/application/dependencies';

/** The adapter over the real resilient client and the declared failClosed policy, in this process. */
describe('steering’s demand client of recommendations', () => {
  let recommendations: ScriptedServer;
  let clients: ServiceClients<ServiceDefinitions>;
  let demand: RecommendationsDemandClient;

  beforeAll(async () => {
    recommendations = await ScriptedServer.start(SERVICES.recommendations);
    clients = new ServiceClients<ServiceDefinitions>(
      DEPENDENCIES,
      { target: () => recommendations.address },
      new Logger('steering', 'error', {}, () => undefined),
      // One attempt per call: what is tested is the policy, not the retries.
      { resilience: { maxAttempts: 1 } },
    );
    demand = new RecommendationsDemandClient(clients);
  });

  afterAll(() => {
    clients?.close();
    recommendations?.stop();
  });

  beforeEach(() => recommendations.reset());

  it('asks PredictDemand for the region and limit, and maps the predictions', async () => {
    recommendations.next(
      ok({
        region: 'us-west',
        predictions: [
          { title_id: 'tt00007', expected_plays: 1000, score: 1 },
          { title_id: 'tt00042', expected_plays: 400, score: 0.4 },
        ],
      }),
    );
    expect(await demand.predict('us-west', 2)).toEqual([
      { titleId: 'tt00007', expectedPlays: 1000 },
      { titleId: 'tt00042', expectedPlays: 400 },
    ]);
    expect(recommendations.received.map((call) => [call.method, call.request])).toEqual([
      ['PredictDemand', expect.objectContaining({ region: 'us-west', limit: 2 })],
    ]);
  });

  it.each([status.UNAVAILABLE, status.INTERNAL, status.DEADLINE_EXCEEDED])(
    'fails closed with UNAVAILABLE naming recommendations, and nothing of its own words, when it fails with code %d',
    async (code) => {
      recommendations.otherwise(fail(code));
      const error = await demand.predict('eu-west', 10).catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(UnavailableError);
      expect((error as Error).message).toBe('recommendations cannot predict demand');
    },
  );

  it('passes an overloaded recommendations’ refusal on as RESOURCE_EXHAUSTED', async () => {
    recommendations.otherwise(fail(status.RESOURCE_EXHAUSTED));
    const error = await demand.predict('eu-west', 10).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ResourceExhaustedError);
    expect((error as Error).message).toBe('recommendations is overloaded; retry later');
  });

  it('passes an answer such as NOT_FOUND through as it is', async () => {
    recommendations.next(fail(status.NOT_FOUND));
    await expect(demand.predict('eu-west', 10)).rejects.toMatchObject({ code: status.NOT_FOUND });
  });
});
