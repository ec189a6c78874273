import { Client, credentials, Metadata, status, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { createHmac } from 'node:crypto';
import { SERVICES, type ServiceName } from '@streamplane/contracts';
import { CHANNEL_OPTIONS } from '@streamplane/platform';
import { signAccountToken, signCdnUrl } from '@streamplane/streaming';
import { grpcPlatformCalls, type CallOutcome } from '../../load/platform-calls';
import { httpEdgeFetch } from '../../player/edge-http';
import type { Finding, Severity } from './findings';

/**
 * What an attacker would try against a running platform, each expected to be refused: forged and
 * eternal tokens, another account's session, CDN URLs that are unsigned, expired or tampered with at the
 * edge, a request too large and one that does not parse. A handful of calls, each with a short deadline,
 * only to the addresses given. Anything but the expected refusal is a finding: an acceptance is high,
 * another refusal medium (it refuses, but not as the contract says), no answer at all low (nothing was
 * proved either way). Under TLS they dial with the tools' credentials (`credentials`), so that they still
 * reach what they probe; what TLS itself refuses is tls-probes.ts's.
 */

export interface ProbeTargets {
  /** gRPC addresses of the services (only playback-authorization and catalog are probed). */
  services: Record<ServiceName, string>;
  /** host:port of the edge; undefined: the edge probes are not run. */
  edge?: string;
  /** The secrets the monkey signs with to make tokens and URLs that are valid but for one flaw. */
  authSecret: string;
  cdnSecret: string;
  /** How the probes dial: under TLS, the tools' credentials (toolCredentials); plaintext when not given. */
  credentials?: ChannelCredentials;
}

export const DEADLINE_MS = 3_000;
/** The services' message limit is 4 MiB (grpc-js's default); a little over it. */
const OVERSIZED_BYTES = 4 * 1024 * 1024 + 1024;
/** Two accounts of the seed data (acct-0001 premium, acct-0002 standard), both active. */
const VICTIM = { account: 'acct-0001', profile: 'acct-0001-p1' };
const INTRUDER = 'acct-0002';
const PLAY = {
  profile_id: VICTIM.profile,
  title_id: 'tt00001',
  device: { device_id: 'security-monkey', max_height: 1080, supports_hdr: false, codecs: ['h264'] },
  client: { country: 'US', asn: 0 },
};

export interface Outcome {
  /** A gRPC code name, or `HTTP <status>`, or `unreachable: …`. */
  got: string;
  details?: string;
}

export interface Probe {
  rule: string;
  subject: string;
  attempt: string;
  expected: readonly string[];
  fix: string;
  /** The severity of an answer that is neither expected nor an acceptance; medium when not given. */
  otherAnswers?: Severity;
  run(): Promise<Outcome>;
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT with this header and payload, HMAC-SHA256-signed with `secret` or, without one, unsigned. */
function forgedToken(header: object, payload: object, secret?: string): string {
  const signingInput = `${base64url(header)}.${base64url(payload)}`;
  return secret === undefined
    ? `${signingInput}.`
    : `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

export const UNREACHABLE = new Set(['UNAVAILABLE', 'DEADLINE_EXCEEDED']);

function judged(probe: Probe, outcome: Outcome): Finding[] {
  if (probe.expected.includes(outcome.got)) return [];
  const accepted = outcome.got === 'OK' || /^HTTP 2\d\d$/.test(outcome.got);
  const unreachable = UNREACHABLE.has(outcome.got) || outcome.got.startsWith('unreachable');
  return [
    {
      rule: probe.rule,
      severity: accepted ? 'high' : unreachable ? 'low' : (probe.otherAnswers ?? 'medium'),
      subject: probe.subject,
      message: `${probe.attempt}: expected ${probe.expected.join(' or ')}, got ${outcome.got}${
        outcome.details ? ` (${outcome.details})` : ''
      }${unreachable ? ' — nothing proved' : ''}`,
      fix: unreachable ? `make ${probe.subject} reachable from the monkey and run it again` : probe.fix,
    },
  ];
}

/** The probe run once, and judged. */
export const tried = async (probe: Probe): Promise<Finding[]> => judged(probe, await probe.run());

export const fromCall = (outcome: CallOutcome): Outcome => ({ got: outcome.code, details: outcome.details });

/** A client of no service in particular, for requests of raw bytes (see rawCall). */
export const rawClient = (address: string, creds: ChannelCredentials = credentials.createInsecure()) =>
  new Client(address, creds, CHANNEL_OPTIONS);

/** `bytes` sent as the request of the method at `path`, unparsed both ways, with the probes' deadline. */
export const rawCall = (client: Client, path: string, bytes: Buffer): Promise<Outcome> =>
  new Promise((resolve) =>
    client.makeUnaryRequest(
      path,
      (value: Buffer) => value,
      (value: Buffer) => value,
      bytes,
      new Metadata(),
      { deadline: Date.now() + DEADLINE_MS },
      (error: ServiceError | null) =>
        resolve(error ? { got: status[error.code] ?? 'UNKNOWN', details: error.details } : { got: 'OK' }),
    ),
  );

/** Runs every probe once against `targets`; the findings of those that were not refused as expected. */
export async function runProbes(targets: ProbeTargets, now = new Date()): Promise<Finding[]> {
  const creds = targets.credentials ?? credentials.createInsecure();
  const calls = grpcPlatformCalls(targets.services, creds);
  const raw = rawClient(targets.services.catalog, creds);
  const seconds = Math.floor(now.getTime() / 1000);
  const play = (token: string) =>
    calls.call('playback-authorization', 'AuthorizePlayback', PLAY, { authorization: `Bearer ${token}` });
  const tokenProbe = (rule: string, attempt: string, token: string): Probe => ({
    rule,
    subject: 'playback-authorization',
    attempt: `AuthorizePlayback with ${attempt}`,
    expected: ['UNAUTHENTICATED'],
    fix: 'verify account tokens with verifyAccountToken (HS256 only, signature, exp required and in the future)',
    run: async () => fromCall(await play(token)),
  });
  const sendRaw = (bytes: Buffer) => rawCall(raw, `/${SERVICES.catalog.grpcService}/GetTitle`, bytes);
  const victimToken = signAccountToken(VICTIM.account, targets.authSecret, { now });
  const intruderToken = signAccountToken(INTRUDER, targets.authSecret, { now });
  const probes: Probe[] = [
    tokenProbe(
      'token-bad-signature',
      'a token signed with another secret',
      signAccountToken(VICTIM.account, 'not-the-platform-secret!', { now }),
    ),
    tokenProbe(
      'token-expired',
      'an expired token',
      forgedToken(
        { alg: 'HS256', typ: 'JWT' },
        { sub: VICTIM.account, iat: seconds - 7200, exp: seconds - 3600 },
        targets.authSecret,
      ),
    ),
    tokenProbe(
      'token-alg-none',
      'an unsigned token (alg: none)',
      forgedToken({ alg: 'none', typ: 'JWT' }, { sub: VICTIM.account, iat: seconds, exp: seconds + 3600 }),
    ),
    tokenProbe(
      'token-no-expiry',
      'a token without exp',
      forgedToken({ alg: 'HS256', typ: 'JWT' }, { sub: VICTIM.account, iat: seconds }, targets.authSecret),
    ),
    {
      rule: 'request-unparsable',
      subject: 'catalog',
      attempt: 'GetTitle with bytes that are not protobuf',
      expected: ['INVALID_ARGUMENT'],
      fix: 'refuse undecodable requests with INVALID_ARGUMENT (the platform server does, through refusingUnparsableRequests)',
      run: () => sendRaw(Buffer.from([0xff, 0xff, 0xff])),
    },
    {
      rule: 'request-oversized',
      subject: 'catalog',
      attempt: `GetTitle with a ${OVERSIZED_BYTES}-byte request`,
      expected: ['RESOURCE_EXHAUSTED'],
      fix: 'keep grpc.max_receive_message_length at 4 MiB or less',
      // Field 1 (title_id), length-delimited.
      run: () =>
        sendRaw(
          Buffer.concat([Buffer.from([0x0a, ...protobufVarint(OVERSIZED_BYTES)]), Buffer.alloc(OVERSIZED_BYTES, 0x61)]),
        ),
    },
  ];
  try {
    const findings: Finding[] = [];
    for (const probe of probes) findings.push(...(await tried(probe)));
    // The session probes and the tampered URL need one real grant of the victim's, stopped at the end.
    const grant = await play(victimToken);
    if (grant.code !== 'OK') {
      findings.push(
        notRun(
          'session-of-another-account',
          'playback-authorization',
          `the victim's own AuthorizePlayback failed with ${grant.code}${grant.details ? ` (${grant.details})` : ''}`,
          'run the monkey with the STREAMPLANE_AUTH_SECRET the platform uses',
        ),
      );
    } else {
      const answer = grant.response as { playback_session_id: string; cdn_urls?: Array<{ url: string }> };
      const session = { playback_session_id: answer.playback_session_id };
      const asIntruder = { authorization: `Bearer ${intruderToken}` };
      try {
        for (const method of ['Heartbeat', 'StopPlayback']) {
          findings.push(
            ...(await tried({
              rule: 'session-of-another-account',
              subject: 'playback-authorization',
              attempt: `${method} of ${VICTIM.account}'s session with ${INTRUDER}'s token`,
              expected: ['PERMISSION_DENIED', 'NOT_FOUND'],
              fix: "check that a session belongs to the token's account before touching it",
              run: async () => fromCall(await calls.call('playback-authorization', method, session, asIntruder)),
            })),
          );
        }
      } finally {
        await calls.call('playback-authorization', 'StopPlayback', session, { authorization: `Bearer ${victimToken}` });
      }
      if (targets.edge)
        findings.push(
          ...(await probeEdge(
            targets.edge,
            targets.cdnSecret,
            (answer.cdn_urls ?? []).map(({ url }) => url),
            now,
          )),
        );
    }
    return findings;
  } finally {
    calls.close();
    raw.close();
  }
}

/** The edge's probes: a grant's URL unsigned and tampered with, and one signed correctly but expired. */
async function probeEdge(
  edge: string,
  cdnSecret: string,
  grantedUrls: readonly string[],
  now: Date,
): Promise<Finding[]> {
  const granted = grantedUrls[0];
  if (!granted)
    return [
      notRun(
        'cdn-url',
        'edge',
        'the grant carried no CDN URL to tamper with',
        'check steering and playback-authorization',
      ),
    ];
  const fetch = httpEdgeFetch(() => edge, DEADLINE_MS);
  const url = new URL(granted);
  const appliance = url.hostname.split('.')[0]!;
  const title = decodeURIComponent(url.pathname.split('/')[2] ?? '');
  const lastHex = granted.at(-1) === '0' ? '1' : '0';
  const attempts: Array<[string, string, string]> = [
    ['cdn-unsigned', 'the manifest without expires and sig', `${url.origin}${url.pathname}`],
    [
      'cdn-expired',
      'a correctly signed manifest URL that expired an hour ago',
      signCdnUrl(cdnSecret, appliance, title, new Date(now.getTime() - 3_600_000)),
    ],
    ['cdn-tampered', 'a granted manifest URL with one signature digit changed', `${granted.slice(0, -1)}${lastHex}`],
  ];
  const findings: Finding[] = [];
  for (const [rule, attempt, target] of attempts) {
    findings.push(
      ...(await tried({
        rule,
        subject: 'edge',
        attempt: `GET ${attempt}`,
        expected: ['HTTP 403'],
        fix: 'verify every request with verifyCdnUrl before serving it',
        run: () =>
          fetch(target).then(
            (answer): Outcome => ({ got: `HTTP ${answer.status}` }),
            (error: Error): Outcome => ({ got: `unreachable: ${error.message}` }),
          ),
      })),
    );
  }
  return findings;
}

export function notRun(rule: string, subject: string, why: string, fix: string): Finding {
  return { rule, severity: 'low', subject, message: `not probed: ${why}`, fix };
}

/** A protobuf base-128 varint, for hand-built frames (a length prefix that no real message would carry). */
export function protobufVarint(value: number): number[] {
  const bytes: number[] = [];
  while (value > 0x7f) {
    bytes.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  bytes.push(value);
  return bytes;
}
