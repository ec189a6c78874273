import { Client, Server, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { DevelopmentCa } from '@streamplane/tools';
import {
  ReloadingCertificate,
  readCertificateDirectory,
  type CertificateReload,
} from '../src/security/reloading-certificate';
import {
  channelCredentials,
  loadTransportSecurity,
  serverCredentials,
  TLS_CHANNEL_OPTIONS,
  type TransportSecurity,
} from '../src/security/transport-security';

/**
 * A process's certificate directory is read again while in use: after a renewal (cert-manager's, or the
 * chart's hook Job's) every new connection, served or dialled, presents the new certificate without a
 * restart, and files that are no valid successor keep the last good certificate, reported once.
 */

let root: string;
let ca: DevelopmentCa;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'streamplane-reload-'));
  ca = DevelopmentCa.open(join(root, 'ca'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const serialOf = (pem: Buffer | string) => new X509Certificate(pem).serialNumber;

/** A fresh directory holding a certificate of `identity`. */
function issuedDirectory(identity: string): string {
  return ca.issueInto(identity, mkdtempSync(join(root, `${identity}-`)));
}

function checked(dir: string) {
  const read = readCertificateDirectory(dir);
  if ('problems' in read) throw new Error(read.problems.join('; '));
  return read;
}

describe('ReloadingCertificate', () => {
  test('a renewal reaches every listener and is reported; an unchanged directory is not', async () => {
    const dir = issuedDirectory('catalog');
    const reloading = new ReloadingCertificate(dir, checked(dir));
    const reloads: CertificateReload[] = [];
    reloading.onReload((reload) => reloads.push(reload));
    const presented: string[] = [];
    const present = (update: { certificate: Buffer } | null) => presented.push(serialOf(update!.certificate));
    reloading.addIdentityCertificateListener(present);
    await new Promise(process.nextTick);
    const first = serialOf(reloading.certificate.cert);
    expect(presented).toEqual([first]);

    reloading.refresh();
    expect(reloads).toEqual([]);

    ca.issueInto('catalog', dir);
    reloading.refresh();
    const renewed = serialOf(reloading.certificate.cert);
    expect(renewed).not.toBe(first);
    expect(presented).toEqual([first, renewed]);
    expect(reloads).toEqual([{ outcome: 'renewed', identity: 'catalog', validTo: reloading.certificate.validTo }]);
    reloading.removeIdentityCertificateListener(present);
  });

  test.each([
    [
      'a certificate that does not parse',
      (dir: string) => writeFileSync(join(dir, 'tls.crt'), 'half a file'),
      /tls.crt in .* is no PEM certificate/,
    ],
    [
      "a key that is not the certificate's",
      (dir: string) => writeFileSync(join(dir, 'tls.key'), ca.issue('catalog').keyPem),
      /tls.key in .* is not the key of tls.crt/,
    ],
    [
      'another identity',
      (dir: string) => ca.issueInto('billing', dir),
      /tls.crt in .* is now billing's, not catalog's/,
    ],
  ])('%s keeps the last good certificate, reported once', (_case, spoil, problem) => {
    const dir = issuedDirectory('catalog');
    const reloading = new ReloadingCertificate(dir, checked(dir));
    const good = reloading.certificate.cert;
    const reloads: CertificateReload[] = [];
    reloading.onReload((reload) => reloads.push(reload));
    spoil(dir);
    reloading.refresh();
    reloading.refresh();
    expect(reloading.certificate.cert.equals(good)).toBe(true);
    expect(reloads).toEqual([{ outcome: 'kept', problem: expect.stringMatching(problem) }]);
    // Mended, it is taken again, and a later spoiling is reported again.
    ca.issueInto('catalog', dir);
    reloading.refresh();
    expect(reloads.map(({ outcome }) => outcome)).toEqual(['kept', 'renewed']);
  });
});

describe('mutual TLS with reloading certificates, over real gRPC on 127.0.0.1', () => {
  let server: Server;
  let port: number;
  let serverSecurity: TransportSecurity & { mode: 'mutual-tls' };
  let callerSecurity: TransportSecurity & { mode: 'mutual-tls' };
  let serverDir: string;
  let callerDir: string;

  beforeAll(async () => {
    serverDir = issuedDirectory('catalog');
    callerDir = issuedDirectory('operator');
    serverSecurity = loadTransportSecurity({ STREAMPLANE_TLS: 'enabled', STREAMPLANE_TLS_DIR: serverDir }) as never;
    callerSecurity = loadTransportSecurity({ STREAMPLANE_TLS: 'enabled', STREAMPLANE_TLS_DIR: callerDir }) as never;
    server = new Server();
    // Answers with the serial number of the certificate the caller presented on this connection.
    server.register(
      '/test.Peer/Serial',
      (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
        const peer = call.getAuthContext().sslPeerCertificate;
        callback(null, Buffer.from(peer?.serialNumber ?? 'none'));
      },
      (value: Buffer) => value,
      (bytes: Buffer) => bytes,
      'unary',
    );
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', serverCredentials(serverSecurity), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
  });

  afterAll(() => server?.forceShutdown());

  /** The caller's serial as the server saw it, over a new channel. */
  async function callerSerialSeenByServer(): Promise<string> {
    const client = new Client(`127.0.0.1:${port}`, channelCredentials(callerSecurity, 'catalog'), TLS_CHANNEL_OPTIONS);
    try {
      return await new Promise<string>((resolve, reject) =>
        client.makeUnaryRequest(
          '/test.Peer/Serial',
          (value: Buffer) => value,
          (bytes: Buffer) => bytes,
          Buffer.alloc(0),
          (error, answer) => (error ? reject(error) : resolve(answer!.toString())),
        ),
      );
    } finally {
      client.close();
    }
  }

  /** The serial of the certificate the server presents to a new TLS connection. */
  function serverSerial(): Promise<string> {
    const caller = checked(callerDir);
    return new Promise((resolve, reject) => {
      const socket = connect({
        host: '127.0.0.1',
        port,
        ca: caller.ca,
        cert: caller.cert,
        key: caller.key,
        ALPNProtocols: ['h2'],
        servername: 'streamplane.local',
        checkServerIdentity: () => undefined,
      });
      socket.once('secureConnect', () => {
        resolve(socket.getPeerCertificate().serialNumber);
        socket.destroy();
      });
      socket.once('error', reject);
    });
  }

  test('both sides present their renewed certificates on new connections, without a restart', async () => {
    expect(await serverSerial()).toBe(serialOf(serverSecurity.cert));
    expect(await callerSerialSeenByServer()).toBe(serialOf(callerSecurity.cert));

    ca.issueInto('catalog', serverDir);
    ca.issueInto('operator', callerDir);
    serverSecurity.reloading!.refresh();
    callerSecurity.reloading!.refresh();

    const renewedServer = serialOf(checked(serverDir).cert);
    const renewedCaller = serialOf(checked(callerDir).cert);
    expect(renewedServer).not.toBe(serialOf(serverSecurity.cert));
    expect(await serverSerial()).toBe(renewedServer);
    expect(await callerSerialSeenByServer()).toBe(renewedCaller);

    // A broken file afterwards changes nothing for either side.
    writeFileSync(join(serverDir, 'tls.key'), 'not a key');
    serverSecurity.reloading!.refresh();
    expect(await serverSerial()).toBe(renewedServer);
    expect(await callerSerialSeenByServer()).toBe(renewedCaller);
  });
});
