import { request } from 'node:http';

/**
 * How the player reaches appliances: plain HTTP/1.1 to an address it chooses for each appliance host,
 * with the signed URL's host name in the Host header (the edge answers for the appliance it names).
 * The CLI dials EDGE_ADDR for every host, as one local edge hosts the whole fleet; a test maps each host
 * to a different address, so one appliance can die while another serves.
 */

export interface EdgeAnswer {
  status: number;
  /** Body bytes received. */
  bytes: number;
  /** The body as text, when asked for (the manifest); segments are counted, not kept. */
  text?: string;
}

/** One GET of a signed URL; rejects when the appliance cannot be reached or does not answer in time. */
export type EdgeFetch = (url: string, options?: { keepBody?: boolean }) => Promise<EdgeAnswer>;

/** The address ("host:port") to dial for an appliance host name. */
export type ApplianceResolver = (hostName: string) => string;

/** EDGE_ADDR, default 127.0.0.1:8080, for every appliance. */
export function edgeAddress(env: NodeJS.ProcessEnv): string {
  return env.EDGE_ADDR || '127.0.0.1:8080';
}

/** A request still unanswered after this long counts as a dead appliance (real milliseconds). */
export const EDGE_REQUEST_TIMEOUT_MS = 5_000;

export function httpEdgeFetch(resolve: ApplianceResolver, timeoutMs = EDGE_REQUEST_TIMEOUT_MS): EdgeFetch {
  return (url, { keepBody = false } = {}) =>
    new Promise<EdgeAnswer>((settle, fail) => {
      const target = new URL(url);
      const address = resolve(target.hostname);
      const colon = address.lastIndexOf(':');
      const outgoing = request(
        {
          host: address.slice(0, colon).replace(/^\[|\]$/g, ''),
          port: Number(address.slice(colon + 1)),
          path: `${target.pathname}${target.search}`,
          headers: { host: target.host },
          timeout: timeoutMs,
        },
        (response) => {
          const chunks: Buffer[] = [];
          let bytes = 0;
          response.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (keepBody) chunks.push(chunk);
          });
          response.on('end', () =>
            settle({
              status: response.statusCode ?? 0,
              bytes,
              text: keepBody ? Buffer.concat(chunks).toString('utf8') : undefined,
            }),
          );
          response.on('error', fail);
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`${target.host} did not answer within ${timeoutMs} ms`)));
      outgoing.on('error', fail);
      outgoing.end();
    });
}
