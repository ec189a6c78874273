import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
} from 'node:http2';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { Duplex } from 'node:stream';

export type HttpRequest = IncomingMessage | Http2ServerRequest;
export type HttpResponse = ServerResponse | Http2ServerResponse;
export type HttpHandler = (request: HttpRequest, response: HttpResponse) => void;

/** What every HTTP/2 connection starts with (RFC 9113 §3.4); an HTTP/1.1 request line never does. */
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/**
 * HTTP/1.1 and HTTP/2 over cleartext (h2c with prior knowledge) on one port. Without TLS there is no ALPN
 * to choose the protocol, so the first bytes of each connection do: the HTTP/2 preface goes to Node's
 * http2 server, anything else to its http server, each with the same handler (http2's compatibility API).
 */
export class CleartextListener {
  private readonly tcp = createTcpServer((socket) => this.sniff(socket));
  private readonly http1;
  private readonly http2;
  private readonly sockets = new Set<Socket>();
  private readonly sessions = new Set<Http2Session>();

  constructor(handler: HttpHandler) {
    this.http1 = createHttp1Server(handler);
    // A player fetches segments back to back on one connection; idle ones are closed after a while.
    this.http1.keepAliveTimeout = 30_000;
    this.http2 = createHttp2Server({}, handler);
    this.http2.on('session', (session: Http2Session) => {
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
    });
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.tcp.once('error', reject);
      this.tcp.listen(port, host, () => {
        this.tcp.off('error', reject);
        resolve(this.tcp.address() as AddressInfo);
      });
    });
  }

  /** Stops accepting connections and lets open ones finish what they are sending. */
  stopAccepting(): void {
    this.tcp.close();
    this.http1.closeIdleConnections();
    for (const session of this.sessions) session.close();
  }

  /** Closes every connection still open. */
  closeAll(): void {
    this.http1.closeAllConnections();
    for (const session of this.sessions) session.destroy();
    for (const socket of this.sockets) socket.destroy();
  }

  private sniff(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const compared = Math.min(head.length, HTTP2_PREFACE.length);
      const http2 = head.subarray(0, compared).equals(HTTP2_PREFACE.subarray(0, compared));
      if (http2 && head.length < HTTP2_PREFACE.length) return; // the preface so far: wait for the rest
      socket.off('data', onData);
      socket.pause();
      if (http2) {
        this.http2.emit('connection', replaying(socket, head));
      } else {
        socket.unshift(head);
        this.http1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy()); // a reset before the protocol was known: nothing to answer
  }
}

/**
 * The socket as a stream that first replays the bytes already read. Node's http2 reads a net.Socket
 * through its native handle, past anything unshifted onto it; a plain Duplex is read as a stream.
 */
function replaying(socket: Socket, head: Buffer): Duplex {
  const stream = new Duplex({
    read: () => void socket.resume(),
    write: (chunk: Buffer, encoding, done) => void socket.write(chunk, encoding, done),
    final: (done) => {
      socket.end();
      done();
    },
    destroy: (error, done) => {
      socket.destroy();
      done(error);
    },
  });
  stream.push(head);
  socket.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.once('end', () => stream.push(null));
  socket.once('close', () => stream.destroy());
  socket.on('error', (error) => stream.destroy(error));
  return Object.assign(stream, { remoteAddress: socket.remoteAddress, remotePort: socket.remotePort });
}
