import { request as http1Request } from 'node:http';
import { connect } from 'node:http2';

export interface Fetched {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  httpVersion: '1.1' | '2';
}

export type Protocol = 'http/1.1' | 'h2c';

/** A GET (or another method) to 127.0.0.1:port naming `host`, over HTTP/1.1 or h2c with prior knowledge. */
export function fetchFromEdge(
  port: number,
  host: string,
  path: string,
  options: { protocol?: Protocol; method?: string; headers?: Record<string, string> } = {},
): Promise<Fetched> {
  const method = options.method ?? 'GET';
  const headers = options.headers ?? {};
  if (options.protocol === 'h2c') {
    return new Promise((resolve, reject) => {
      const session = connect(`http://127.0.0.1:${port}`);
      session.once('error', reject);
      const stream = session.request({ ':method': method, ':path': path, ':authority': host, ...headers });
      const chunks: Buffer[] = [];
      let responseHeaders: Record<string, string | string[] | undefined> = {};
      stream.once('response', (received) => (responseHeaders = received));
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.once('error', reject);
      stream.once('end', () => {
        session.close();
        resolve({
          status: Number(responseHeaders[':status']),
          headers: responseHeaders,
          body: Buffer.concat(chunks),
          httpVersion: '2',
        });
      });
      stream.end();
    });
  }
  return new Promise((resolve, reject) => {
    const outgoing = http1Request({
      host: '127.0.0.1',
      port,
      path,
      method,
      headers: { ...headers, host },
      agent: false,
    });
    outgoing.once('error', reject);
    outgoing.once('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () =>
        resolve({
          status: response.statusCode!,
          headers: response.headers,
          body: Buffer.concat(chunks),
          httpVersion: '1.1',
        }),
      );
    });
    outgoing.end();
  });
}
