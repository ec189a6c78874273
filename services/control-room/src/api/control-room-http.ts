import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Clock, Logger } from '@streamplane/platform';
import type { ControlRoom } from '../application/control-room';
import { parseChaosEvent } from './chaos-event-body';

/** The page: plain HTML, JavaScript and CSS, read by the browser as they are (no build step). */
const PUBLIC_DIR = join(__dirname, '..', '..', 'public');
const PAGE_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};
/** Nothing but this origin: no CDN, no fonts, no calls home. */
const PAGE_POLICY = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";

const TRACE_PATH = /^\/api\/traces\/([^/]*)$/;
const TRACE_ID = /^[0-9a-fA-F]{32}$/;
/** A chaos event is a sentence; a larger body is no chaos event. */
const MAX_BODY_BYTES = 16 * 1024;

interface Answer {
  status: number;
  type: string;
  body: string | Buffer;
  headers?: Record<string, string>;
}

const json = (status: number, value: unknown): Answer => ({
  status,
  type: 'application/json; charset=utf-8',
  body: JSON.stringify(value),
});
const refusal = (status: number, reason: string, headers?: Record<string, string>): Answer => ({
  ...json(status, { error: reason }),
  ...(headers ? { headers } : {}),
});

class BodyTooLarge extends Error {}

/**
 * The control room's HTTP surface: the page (`GET /`, `/app.js`, `/style.css`), `GET /api/state`,
 * `GET /api/traces/<32 hex>`, `POST /api/chaos-events`, and `GET /healthz`. Every refusal is JSON
 * `{"error": "<one line>"}`: 404 for an unknown path or trace, 400 for a bad id or body, 413 for a body
 * over 16 KiB, 405 (with Allow) for a method a path does not take. The page's files are read once, at
 * start: they are small, and no request can name a file.
 */
export class ControlRoomHttp {
  private readonly server: Server;
  private readonly page = new Map<string, Answer>();

  constructor(
    private readonly room: ControlRoom,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    for (const [path, { file, type }] of Object.entries(PAGE_FILES)) {
      this.page.set(path, {
        status: 200,
        type,
        body: readFileSync(join(PUBLIC_DIR, file)),
        headers: { 'cache-control': 'no-cache', 'content-security-policy': PAGE_POLICY },
      });
    }
    this.server = createServer((request, response) => void this.handle(request, response));
    this.server.keepAliveTimeout = 30_000;
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Stops accepting and closes every connection (the page polls again elsewhere, or not at all). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let answer: Answer;
    try {
      answer = await this.answer(request);
    } catch (error) {
      this.logger.error('request failed', { path: request.url, error });
      answer = refusal(500, 'internal error; see the control room log');
    }
    response.writeHead(answer.status, {
      'content-type': answer.type,
      'content-length': Buffer.byteLength(answer.body),
      'x-content-type-options': 'nosniff',
      ...answer.headers,
    });
    response.end(answer.body);
  }

  private async answer(request: IncomingMessage): Promise<Answer> {
    const method = request.method ?? 'GET';
    const path = new URL(request.url ?? '/', 'http://control-room').pathname;
    const only = (allowed: 'GET' | 'POST'): Answer | undefined =>
      method === allowed ? undefined : refusal(405, `${path} answers ${allowed} only`, { allow: allowed });

    const file = this.page.get(path);
    if (file) return only('GET') ?? file;
    if (path === '/healthz') return only('GET') ?? { status: 200, type: 'text/plain; charset=utf-8', body: 'ok' };
    if (path === '/api/state') return only('GET') ?? json(200, this.room.state());
    if (path === '/api/chaos-events') return only('POST') ?? (await this.chaosEvent(request));
    const tracePath = TRACE_PATH.exec(path);
    if (tracePath) return only('GET') ?? this.trace(tracePath[1]!);
    return refusal(404, `no such path: ${path}`);
  }

  private trace(traceId: string): Answer {
    if (!TRACE_ID.test(traceId)) return refusal(400, `a trace id is 32 hex characters; "${traceId}" is not`);
    const trace = this.room.trace(traceId);
    if (!trace) return refusal(404, `trace ${traceId.toLowerCase()} was not received here (or is no longer kept)`);
    return json(200, trace);
  }

  private async chaosEvent(request: IncomingMessage): Promise<Answer> {
    let body: unknown;
    try {
      body = JSON.parse(await readBody(request));
    } catch (error) {
      if (error instanceof BodyTooLarge) return refusal(413, error.message);
      return refusal(400, `the body is not JSON: ${(error as Error).message}`);
    }
    const event = parseChaosEvent(body, this.clock.now());
    if ('problem' in event) return refusal(400, event.problem);
    this.room.recordChaosEvent(event);
    return json(202, event);
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the bound the rest is read and dropped, so that the refusal still reaches the sender.
      if (size > MAX_BODY_BYTES) reject(new BodyTooLarge(`the body is over ${MAX_BODY_BYTES} bytes`));
      else chunks.push(chunk);
    });
    request.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.once('error', reject);
  });
}
