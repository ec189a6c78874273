import { credentials, type ChannelCredentials } from '@grpc/grpc-js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { APP_IDENTITY, type ServiceName } from '@streamplane/contracts';
import {
  channelCredentials,
  ConfigError,
  loadCertificateDirectory,
  type TransportSecurity,
} from '@streamplane/platform';
import { DevelopmentCa, developmentCaDirectory } from '../../certificates';
import { grpcPlatformCalls } from '../../load/platform-calls';
import type { Finding } from './findings';
import { fromCall, notRun, rawCall, rawClient, tried, UNREACHABLE, type Outcome } from './probes';

/**
 * The probes of a platform under mutual TLS: each service's gRPC port must refuse a plaintext caller and
 * a TLS caller without a client certificate at the handshake (UNAVAILABLE at the client), and a caller
 * whose certificate is good but whose identity the access policy does not allow a method must be
 * PERMISSION_DENIED. Any answer past the transport, or past the authorization, is high: that caller got in.
 * Only the addresses given are dialled.
 */

export interface TlsProbeTargets {
  /** gRPC addresses of the services to probe: those that do not report plaintext (that is tls-disabled's). */
  services: Partial<Record<ServiceName, string>>;
  /** The tools' credentials: a port that refuses them too proves nothing by refusing the probes. */
  credentials: ChannelCredentials;
  /** The certificate the identity-not-allowed probe calls with, or why the monkey has none. */
  disallowedCaller: DisallowedCaller;
}

/** Mutual TLS as the identity the access policy does not allow the probed method, or why there is none. */
export type DisallowedCaller = (TransportSecurity & { mode: 'mutual-tls' }) | { unavailable: string };

/** Where the chart mounts the platform's own certificate of that identity for the monkey. */
export const DISALLOWED_CALLER_TLS_DIR = 'SECURITY_MONKEY_APP_TLS_DIR';

const HEALTH_CHECK = '/grpc.health.v1.Health/Check';

/**
 * An identity and a method the access policy (libs/contracts' access-policy.ts) does not allow it: the
 * app's surface holds nothing of steering's. A read-only method, so that a platform which lets it through
 * shows one page of its fleet and changes nothing.
 */
const NOT_ALLOWED = {
  identity: APP_IDENTITY,
  service: 'steering',
  method: 'ListAppliances',
  request: { region: 'us-east', page_size: 1 },
} as const;

/**
 * The certificate of the identity not allowed: the one in SECURITY_MONKEY_APP_TLS_DIR (in the cluster, the
 * chart's own certificate of app, since no CA key is handed to the monkey), else one issued now by the
 * development CA (STREAMPLANE_DEV_CA_DIR, else dev-ca/ in the run directory) when its key is there, else why
 * not. A CA is never made here: a CA made now is not the one the platform trusts, and a certificate of it
 * would prove nothing. Throws ConfigError when the directory holds no readable certificate of that identity.
 */
export function disallowedCallerOf(env: NodeJS.ProcessEnv): DisallowedCaller {
  const { identity } = NOT_ALLOWED;
  const mounted = env[DISALLOWED_CALLER_TLS_DIR];
  if (mounted) {
    const security = loadCertificateDirectory(mounted, DISALLOWED_CALLER_TLS_DIR);
    if (security.identity !== identity) {
      throw new ConfigError([
        `${DISALLOWED_CALLER_TLS_DIR}: the certificate in ${mounted} is ${security.identity}'s; the probe needs ${identity}'s`,
      ]);
    }
    return security;
  }
  const dir = developmentCaDirectory(env);
  if (!existsSync(join(dir, 'ca.key'))) {
    return {
      unavailable: `there is no ${DISALLOWED_CALLER_TLS_DIR}, and no development CA key in ${dir} (STREAMPLANE_DEV_CA_DIR, else the run directory)`,
    };
  }
  const ca = DevelopmentCa.open(dir);
  const issued = ca.issue(identity);
  return {
    mode: 'mutual-tls',
    identity,
    ca: Buffer.from(ca.certPem),
    cert: Buffer.from(issued.certPem),
    key: Buffer.from(issued.keyPem),
  };
}

export async function runTlsProbes(targets: TlsProbeTargets): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const [service, address] of Object.entries(targets.services)) {
    findings.push(...(await refusedAtTransport(service, address, targets.credentials)));
  }
  findings.push(...(await identityNotAllowed(targets)));
  return findings;
}

async function refusedAtTransport(subject: string, address: string, tools: ChannelCredentials): Promise<Finding[]> {
  const checked = async (creds: ChannelCredentials): Promise<Outcome> => {
    const client = rawClient(address, creds);
    try {
      return await rawCall(client, HEALTH_CHECK, Buffer.alloc(0));
    } finally {
      client.close();
    }
  };
  // Asked once, and only when a probe was refused: a port that answers nobody refuses the probes too.
  let control: Promise<Outcome> | undefined;
  const refusedUnlessDown = async (creds: ChannelCredentials): Promise<Outcome> => {
    const outcome = await checked(creds);
    if (outcome.got !== 'UNAVAILABLE') return outcome;
    const withTools = await (control ??= checked(tools));
    return UNREACHABLE.has(withTools.got)
      ? { got: `unreachable: the tools' certificate is refused too (${withTools.got})`, details: withTools.details }
      : outcome;
  };
  const attempts = [
    { rule: 'tls-plaintext-accepted', how: 'plaintext', creds: credentials.createInsecure() },
    {
      rule: 'tls-no-client-certificate',
      how: 'TLS without a client certificate',
      // The server's certificate is not checked: whether the server asks for the caller's is the question.
      creds: credentials.createSsl(null, null, null, {
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
      }),
    },
  ];
  const findings: Finding[] = [];
  for (const { rule, how, creds } of attempts) {
    findings.push(
      ...(await tried({
        rule,
        subject,
        attempt: `Health/Check over ${how}`,
        expected: ['UNAVAILABLE'],
        // Any status at all, UNIMPLEMENTED included, came over a connection the handshake should have refused.
        otherAnswers: 'high',
        fix: 'serve gRPC with serverCredentials under STREAMPLANE_TLS=enabled: mutual TLS, a client certificate from the CA required',
        run: () => refusedUnlessDown(creds),
      })),
    );
  }
  return findings;
}

async function identityNotAllowed(targets: TlsProbeTargets): Promise<Finding[]> {
  const { identity, service, method, request } = NOT_ALLOWED;
  const address = targets.services[service];
  if (!address) return [];
  const rule = 'tls-identity-not-allowed';
  const caller = targets.disallowedCaller;
  if ('unavailable' in caller) {
    return [
      notRun(
        rule,
        service,
        `a certificate of ${identity} is needed, and ${caller.unavailable}`,
        `mount a certificate of ${identity} from the platform's CA at ${DISALLOWED_CALLER_TLS_DIR}, or run where the development CA's key is (STREAMPLANE_DEV_CA_DIR)`,
      ),
    ];
  }
  const creds = channelCredentials(caller);
  const calls = grpcPlatformCalls({ [service]: address } as Record<ServiceName, string>, creds);
  try {
    return await tried({
      rule,
      subject: service,
      attempt: `${method} as ${identity}, whom the access policy does not allow it`,
      expected: ['PERMISSION_DENIED'],
      // Any other status came from behind the authorization: the call was let through.
      otherAnswers: 'high',
      fix: "authorize every call by the caller's certificate identity against the access policy (CallerAuthorization)",
      run: async () => fromCall(await calls.call(service, method, request)),
    });
  } finally {
    calls.close();
  }
}
