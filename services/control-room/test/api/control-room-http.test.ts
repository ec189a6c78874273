import { startInProcess, type ControlRoomUnderTest } from '../in-process';

/** The HTTP API as a client meets it: the page, the state, and every refusal with its one-line reason. */
describe('the control room’s HTTP API', () => {
  let room: ControlRoomUnderTest;

  beforeAll(async () => {
    room = await startInProcess({ CONTROL_ROOM_JAEGER_URL: 'http://jaeger.example:16686/' });
  });

  afterAll(() => room?.shutdown('test done'));

  const post = (path: string, body: string) =>
    fetch(`${room.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const errorOf = async (response: Response) => ((await response.json()) as { error: string }).error;

  it('serves the page, its script and its style from this origin only', async () => {
    const page = await fetch(`${room.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const html = await page.text();
    for (const id of ['trace-search', 'trace-search-go', 'waterfall', 'chaos-events', 'updated-at']) {
      expect(html).toContain(`id="${id}"`);
    }
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const [path, type] of [
      ['/app.js', /^text\/javascript/],
      ['/style.css', /^text\/css/],
    ] as const) {
      const asset = await fetch(`${room.url}${path}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(type);
      expect(await asset.text()).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    }
  });

  it('answers /healthz with ok', async () => {
    const response = await fetch(`${room.url}/healthz`);
    expect([response.status, await response.text()]).toEqual([200, 'ok']);
  });

  it('gives the state, with every watched component and the Jaeger URL without its trailing slash', async () => {
    const { status, body } = await room.getJson('/api/state');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      services: [expect.objectContaining({ name: 'catalog', address: '127.0.0.1:1' })],
      edges: [],
      breakers: [],
      traces: [],
      chaosEvents: [],
      jaegerUrl: 'http://jaeger.example:16686',
      traceStore: { otlpPort: null, traces: 0, spans: 0, maxTraces: 200, maxSpans: 20_000 },
    });
  });

  it('refuses an unknown path with 404 naming it', async () => {
    const response = await fetch(`${room.url}/api/nothing?x=1`);
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toBe('no such path: /api/nothing');
  });

  it.each([
    ['DELETE', '/api/state', 'GET'],
    ['POST', '/', 'GET'],
    ['PUT', `/api/traces/${'a'.repeat(32)}`, 'GET'],
    ['GET', '/api/chaos-events', 'POST'],
    ['HEAD', '/healthz', 'GET'],
  ])('refuses %s %s with 405, allowing %s', async (method, path, allowed) => {
    const response = await fetch(`${room.url}${path}`, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allowed);
    if (method !== 'HEAD') expect(await errorOf(response)).toBe(`${path} answers ${allowed} only`);
  });

  it('refuses a trace id that is not 32 hex characters with 400, and an unknown one with 404 naming it', async () => {
    const bad = await fetch(`${room.url}/api/traces/not-a-trace`);
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toBe('a trace id is 32 hex characters; "not-a-trace" is not');
    const unknown = await fetch(`${room.url}/api/traces/${'AB'.repeat(16)}`);
    expect(unknown.status).toBe(404);
    expect(await errorOf(unknown)).toBe(`trace ${'ab'.repeat(16)} was not received here (or is no longer kept)`);
  });

  it('takes chaos events (202) and lists the last 50, newest first', async () => {
    const accepted = await post(
      '/api/chaos-events',
      JSON.stringify({ source: 'monkey', kind: 'killed', service: 'subtitles', text: 'killed subtitles (pid 1)' }),
    );
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toEqual({
      source: 'monkey',
      kind: 'killed',
      service: 'subtitles',
      text: 'killed subtitles (pid 1)',
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    for (let n = 1; n <= 55; n++) {
      const at = new Date(Date.UTC(2025, 0, 1, 12, 0, n)).toISOString().replace('.000Z', '+00:00');
      expect(
        (await post('/api/chaos-events', JSON.stringify({ source: 'experiment', kind: 'ended', text: `run ${n}`, at })))
          .status,
      ).toBe(202);
    }
    const { body } = await room.getJson<{ chaosEvents: Array<{ text: string; at: string }> }>('/api/state');
    expect(body.chaosEvents).toHaveLength(50);
    expect(body.chaosEvents[0]).toEqual({
      source: 'experiment',
      kind: 'ended',
      text: 'run 55',
      at: '2025-01-01T12:00:55.000Z',
    });
    expect(body.chaosEvents.at(-1)!.text).toBe('run 6');
  });

  it.each([
    ['not json', 'the body is not JSON: '],
    ['[1, 2]', 'Invalid input: expected object, received array'],
    ['{"kind": "killed", "text": "x"}', 'source: expected one of monkey, experiment, kong, fault-rule'],
    [
      '{"source": "gremlin", "kind": "killed", "text": "x"}',
      'source: expected one of monkey, experiment, kong, fault-rule',
    ],
    ['{"source": "monkey", "kind": "killed"}', 'text: Invalid input: expected string, received undefined'],
    ['{"source": "monkey", "kind": " ", "text": "x"}', 'kind: must not be empty'],
    [
      '{"source": "monkey", "kind": "k", "text": "x", "at": "yesterday"}',
      'at: expected an ISO 8601 time such as 2025-01-31T12:00:00Z',
    ],
  ])('refuses the chaos event %s with 400 and a one-line reason', async (body, reason) => {
    const response = await post('/api/chaos-events', body);
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.startsWith(reason)).toBe(true);
    expect(error).not.toContain('\n');
  });

  it('refuses a body far larger than any chaos event with 413', async () => {
    const response = await post('/api/chaos-events', JSON.stringify({ text: 'x'.repeat(20_000) }));
    expect(response.status).toBe(413);
    expect(await errorOf(response)).toBe('the body is over 16384 bytes');
  });
});
