import {
  APP_IDENTITY,
  authorizedCallersFrom,
  declaredAuthorizedCallers,
  dependsOn,
  fullMethodPath,
  IDENTITY_NAMES,
  SERVICES,
} from '@streamplane/contracts';
import { failClosed } from '@streamplane/platform';

/**
 * Authorization by caller follows the call graph the packages declare: each caller may call what it
 * budgets, `app` the public surface, and no one anything else (operator aside, who needs no entry).
 */

const path = (service: keyof typeof SERVICES, method: string) => fullMethodPath(SERVICES[service], method);

describe('the access policy', () => {
  test('is derived from declarations: each caller gets the methods it budgets, on the service it names', () => {
    const callers = authorizedCallersFrom(SERVICES, {
      edge: [dependsOn('catalog', { whenUnavailable: failClosed(), budgetsMs: { GetEncodingLadder: 800 } })],
      subtitles: [dependsOn('catalog', { whenUnavailable: failClosed(), budgetsMs: { GetTitle: 800 } })],
    });
    expect(callers.catalog).toEqual({
      edge: [path('catalog', 'GetEncodingLadder')],
      subtitles: [path('catalog', 'GetTitle')],
      [APP_IDENTITY]: ['GetTitle', 'BatchGetTitles', 'ListTitles', 'SearchTitles'].map((m) => path('catalog', m)),
    });
    expect(Object.keys(callers.billing)).toEqual([APP_IDENTITY]);
    expect(callers.steering).toEqual({ [APP_IDENTITY]: [] });
  });

  test('refuses a declaration made in the name of an outside identity', () => {
    expect(() => authorizedCallersFrom(SERVICES, { app: [] })).toThrow(/app is an identity from outside/);
  });

  test("the platform's own: billing answers the play path and the app, steering the edge and the play path", () => {
    const callers = declaredAuthorizedCallers();
    expect(callers.billing).toEqual({
      'playback-authorization': [path('billing', 'GetEntitlement')],
      app: expect.arrayContaining([path('billing', 'GetEntitlement')]),
    });
    expect(callers.steering).toEqual({
      'playback-authorization': [path('steering', 'SteerPlayback')],
      edge: [path('steering', 'PlanFill')],
      app: [],
    });
    expect(callers.recommendations.steering).toEqual([path('recommendations', 'PredictDemand')]);
    // Every service's callers are known identities.
    for (const allowed of Object.values(callers)) {
      for (const caller of Object.keys(allowed)) expect(IDENTITY_NAMES).toContain(caller);
    }
  });

  test('every service knows its callers through its descriptor', () => {
    expect(SERVICES.catalog.authorizedCallers()).toBe(declaredAuthorizedCallers().catalog);
    expect(SERVICES.catalog.healthPort).toBe(9551);
    expect(SERVICES.steering.healthPort).toBe(9557);
  });
});
