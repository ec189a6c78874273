import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { createHmac } from 'node:crypto';
import { SERVICES } from '@streamplane/contracts';
import { LOCAL_DEVELOPMENT_SECRET, signAccountToken } from '@streamplane/streaming';
import { testClient, type TestClient } from '@streamplane/testkit';
import { Platform, protobufVarint } from '@streamplane/tools';

/**
 * Hostile input against the running platform: bytes that are not protobuf, oversized messages,
 * credentials that are forged, eternal or from the future, an invented priority. Each gets its own
 * stable code and sentence; none is UNKNOWN or INTERNAL, none carries library text.
 */
jest.setTimeout(60_000);

const base64url = (value: object | string) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** An HS256 token over `payload`, signed with the local development secret: valid except for what it says. */
function tokenWith(payload: Record<string, unknown>): string {
  const signingInput = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url(payload)}`;
  const signature = createHmac('sha256', LOCAL_DEVELOPMENT_SECRET).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

const now = () => Math.floor(Date.now() / 1000);
const PLAY = {
  profile_id: 'acct-0001-p1',
  title_id: 'tt00001',
  device: { device_id: 'tv-1', max_height: 1080, supports_hdr: false, codecs: ['h264'] },
  client: { country: 'US', asn: 20250 },
};

describe('chaos: hostile input', () => {
  let platform: Platform;
  let playback: TestClient;
  let raw: Client;

  beforeAll(async () => {
    platform = await Platform.start({ ports: 'free', env: { LOG_LEVEL: 'warn' } });
    playback = testClient(SERVICES['playback-authorization'], platform.address('playback-authorization'));
    raw = new Client(platform.address('catalog'), credentials.createInsecure());
  });

  afterAll(async () => {
    playback?.close();
    raw?.close();
    await platform?.stop();
  });

  /** Sends `bytes` as the request of catalog's GetTitle, as they are. */
  function sendRaw(bytes: Buffer, metadata = new Metadata()): Promise<ServiceError | null> {
    const identity = (value: Buffer) => value;
    return new Promise((resolve) =>
      raw.makeUnaryRequest(
        `/${SERVICES.catalog.grpcService}/GetTitle`,
        identity,
        identity,
        bytes,
        metadata,
        { deadline: Date.now() + 5_000 },
        (error) => resolve(error),
      ),
    );
  }

  it('answers bytes that are not protobuf with INVALID_ARGUMENT naming the message', async () => {
    const error = await sendRaw(Buffer.from([0xff, 0xff, 0xff]));
    expect(error).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'the request is not a valid streamplane.catalog.v1.GetTitleRequest message',
    });
  });

  it('refuses a message over the limit with RESOURCE_EXHAUSTED naming the limit', async () => {
    // Field 1 (title_id), length-delimited, 5 MiB long.
    const length = 5 * 1024 * 1024;
    const header = Buffer.from([0x0a, ...protobufVarint(length)]);
    const error = await sendRaw(Buffer.concat([header, Buffer.alloc(length, 0x61)]));
    expect(error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error?.details).toMatch(/larger than max \(\d+ vs 4194304\)/);
  });

  it('answers an invented priority with INVALID_ARGUMENT naming the header', async () => {
    const metadata = new Metadata();
    metadata.set('x-streamplane-priority', 'urgent');
    const error = await sendRaw(Buffer.from([0x0a, 0x07, ...Buffer.from('tt00001')]), metadata);
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/^x-streamplane-priority: /);
  });

  it.each([
    ['without exp', () => tokenWith({ sub: 'acct-0001', iat: now() }), /"exp"/],
    ['with a string exp', () => tokenWith({ sub: 'acct-0001', iat: now(), exp: `${now() + 3600}` }), /"exp"/],
    ['with a null exp', () => tokenWith({ sub: 'acct-0001', iat: now(), exp: null }), /"exp"/],
    ['issued in the future', () => tokenWith({ sub: 'acct-0001', iat: now() + 3600, exp: now() + 7200 }), /"iat"/],
    [
      'with a padded standard-base64 signature',
      () => {
        const [head, body, signature] = signAccountToken('acct-0001', LOCAL_DEVELOPMENT_SECRET).split('.');
        return `${head}.${body}.${Buffer.from(signature!, 'base64url').toString('base64')}`;
      },
      /signature/,
    ],
    ['with junk after the signature', () => `${signAccountToken('acct-0001', LOCAL_DEVELOPMENT_SECRET)}x`, /signature/],
  ])('refuses a token %s with UNAUTHENTICATED saying why', async (_case, token, reason) => {
    const error = await playback.fail('AuthorizePlayback', PLAY, { metadata: { authorization: `Bearer ${token()}` } });
    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(error.details).toMatch(reason);
  });

  it('still plays with a valid token', async () => {
    const token = signAccountToken('acct-0001', LOCAL_DEVELOPMENT_SECRET);
    const grant = await playback.call<{ playback_session_id: string }>('AuthorizePlayback', PLAY, {
      metadata: { authorization: `Bearer ${token}` },
    });
    await playback.call(
      'StopPlayback',
      { playback_session_id: grant.playback_session_id },
      { metadata: { authorization: `Bearer ${token}` } },
    );
  });
});
