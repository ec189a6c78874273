import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { controlRoomSink, controlRoomUrl } from '../control-room-events';

/** What chaos tools tell the control room, and that a missing or silent control room costs them nothing. */
describe('chaos events for the control room', () => {
  let server: Server;
  let url: string;
  const received: Array<{ path: string; body: unknown }> = [];
  let answer: 'accept' | 'hang' = 'accept';

  const bodyOf = async (request: IncomingMessage): Promise<unknown> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  };

  beforeAll(async () => {
    server = createServer((request, response) => {
      void bodyOf(request).then((body) => {
        received.push({ path: request.url ?? '', body });
        if (answer === 'accept') response.writeHead(202).end();
        // 'hang': never answers, as a stopped (SIGSTOP) control room would not.
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('an event is posted as JSON to /api/chaos-events with the moment it happened', async () => {
    await controlRoomSink(url)({ source: 'monkey', kind: 'killed', service: 'billing', text: 'killed billing' });
    expect(received.at(-1)).toEqual({
      path: '/api/chaos-events',
      body: {
        source: 'monkey',
        kind: 'killed',
        service: 'billing',
        text: 'killed billing',
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    });
  });

  test('a control room that never answers, or none at all, is given up on without an error', async () => {
    answer = 'hang';
    await expect(controlRoomSink(url)({ source: 'experiment', kind: 'started', text: 'x' })).resolves.toBeUndefined();
    await expect(
      controlRoomSink('http://127.0.0.1:1')({ source: 'experiment', kind: 'started', text: 'x' }),
    ).resolves.toBeUndefined();
  });

  test("where the events go: CONTROL_ROOM_URL, else the control room of npm start's port offset", () => {
    expect(controlRoomUrl({ CONTROL_ROOM_URL: 'http://room:9400/' })).toBe('http://room:9400');
    expect(controlRoomUrl({})).toBe('http://127.0.0.1:9400');
    expect(controlRoomUrl({}, 200)).toBe('http://127.0.0.1:9600');
  });
});
