import Consul from 'consul';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { ConfigError, type PlatformConfig } from '../config/config';

/**
 * How this process talks to Consul's HTTP API: which agent, over http or https (with which CA and server
 * name), with which ACL token. Every client of the API (registration, the resolver's watchers) is made from
 * one, so that no request goes out without the token or over another transport.
 */
export interface ConsulConnection {
  /** host:port of the agent. */
  readonly agent: string;
  /** https instead of http. */
  readonly secure: boolean;
  /** Sent as X-Consul-Token with every request. */
  readonly token?: string;
  /** PEM of the CA the agent's certificate must chain to; undefined: the system's CAs. */
  readonly ca?: Buffer;
  /** The name the agent's certificate must carry (and the SNI sent); undefined: the agent's host. */
  readonly serverName?: string;
}

export type ConsulConnectionConfig = Pick<
  PlatformConfig,
  | 'CONSUL_HTTP_ADDR'
  | 'CONSUL_HTTP_SSL'
  | 'CONSUL_CACERT'
  | 'CONSUL_TLS_SERVER_NAME'
  | 'CONSUL_HTTP_TOKEN'
  | 'CONSUL_HTTP_TOKEN_FILE'
>;

const HTTPS_PREFIX = /^https:\/\//i;

/**
 * The connection `config` describes, its files read and checked now: a combination that cannot be meant
 * (a CA for plain http, two token sources) or a file that cannot be read stops the process at start with
 * the variable named, instead of every request failing later.
 */
export function loadConsulConnection(config: ConsulConnectionConfig): ConsulConnection {
  const problems: string[] = [];
  const httpsAddress = HTTPS_PREFIX.test(config.CONSUL_HTTP_ADDR);
  if (httpsAddress && config.CONSUL_HTTP_SSL === 'false') {
    problems.push(`CONSUL_HTTP_SSL: is false, but CONSUL_HTTP_ADDR (${config.CONSUL_HTTP_ADDR}) asks for https`);
  }
  const secure = httpsAddress || config.CONSUL_HTTP_SSL === 'true';
  if (!secure) {
    for (const variable of ['CONSUL_CACERT', 'CONSUL_TLS_SERVER_NAME'] as const) {
      if (config[variable] !== undefined) {
        problems.push(
          `${variable}: is set, but Consul is reached over plain http: make CONSUL_HTTP_ADDR https://host:port or set CONSUL_HTTP_SSL=true`,
        );
      }
    }
  }
  if (config.CONSUL_HTTP_TOKEN !== undefined && config.CONSUL_HTTP_TOKEN_FILE !== undefined) {
    problems.push('CONSUL_HTTP_TOKEN_FILE: set only one of CONSUL_HTTP_TOKEN and CONSUL_HTTP_TOKEN_FILE');
  }
  const token =
    config.CONSUL_HTTP_TOKEN ?? readTokenFile(config.CONSUL_HTTP_TOKEN_FILE, (problem) => problems.push(problem));
  const ca = secure ? readCa(config.CONSUL_CACERT, (problem) => problems.push(problem)) : undefined;
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    agent: config.CONSUL_HTTP_ADDR.replace(HTTPS_PREFIX, ''),
    secure,
    ...(token !== undefined ? { token } : {}),
    ...(ca !== undefined ? { ca } : {}),
    ...(secure && config.CONSUL_TLS_SERVER_NAME ? { serverName: config.CONSUL_TLS_SERVER_NAME } : {}),
  };
}

/** The token in `path`, trimmed as Consul's own clients trim it. */
function readTokenFile(path: string | undefined, problem: (text: string) => void): string | undefined {
  if (path === undefined) return undefined;
  let token: string;
  try {
    token = readFileSync(path, 'utf8').trim();
  } catch (error) {
    problem(`CONSUL_HTTP_TOKEN_FILE: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`);
    return undefined;
  }
  if (token === '') problem(`CONSUL_HTTP_TOKEN_FILE: ${path} is empty`);
  return token;
}

function readCa(path: string | undefined, problem: (text: string) => void): Buffer | undefined {
  if (path === undefined) return undefined;
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (error) {
    problem(`CONSUL_CACERT: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`);
    return undefined;
  }
  try {
    new X509Certificate(pem);
  } catch {
    problem(`CONSUL_CACERT: ${path} holds no PEM certificate`);
    return undefined;
  }
  return pem;
}

/** A service's name in Consul: STREAMPLANE_CONSUL_SERVICE_NAME's `{service}` standing for its own. */
export function consulServiceName(template: string, service: string): string {
  return template.replace('{service}', service);
}

/** How the agent is shown in logs and errors: https://host:port, or host:port for plain http. */
export function describeAgent(connection: ConsulConnection, agent = connection.agent): string {
  return connection.secure ? `https://${agent}` : agent;
}

/** A client of the API of `agent` (default: the connection's own) with the connection's transport and token. */
export function consulClient(connection: ConsulConnection, agent = connection.agent): Consul {
  const separator = agent.lastIndexOf(':');
  const httpAgent = connection.secure
    ? new HttpsAgent({ keepAlive: true, ca: connection.ca, servername: connection.serverName })
    : new HttpAgent({ keepAlive: true });
  return new Consul({
    host: agent.slice(0, separator),
    port: Number(agent.slice(separator + 1)),
    secure: connection.secure,
    agent: httpAgent,
    // The client sends it as X-Consul-Token with every request, blocking queries included.
    ...(connection.token !== undefined ? { defaults: { token: connection.token } } : {}),
  });
}

/**
 * Consul's answer when it refuses a request's token (403): "ACL not found" for a token it does not know,
 * "Permission denied: …" for one that lacks a permission (or none at all). Such a request will not succeed
 * by being repeated; the token must change.
 */
export class ConsulTokenRefused extends Error {
  constructor(
    readonly consulMessage: string,
    what: string,
  ) {
    super(`Consul refused the ACL token ${what} (${consulMessage}): ${remedy(consulMessage)}`);
    this.name = 'ConsulTokenRefused';
  }
}

function remedy(consulMessage: string): string {
  if (/ACL not found/i.test(consulMessage)) {
    return 'Consul knows no such token: set CONSUL_HTTP_TOKEN (or CONSUL_HTTP_TOKEN_FILE) to a token of this datacenter';
  }
  if (/anonymous token/i.test(consulMessage)) {
    return 'no token was sent: set CONSUL_HTTP_TOKEN (or CONSUL_HTTP_TOKEN_FILE)';
  }
  return "give the token's policy the permission named";
}

/**
 * `error` (from the consul client) as a ConsulTokenRefused when Consul answered 403, else unchanged. The
 * client keeps Consul's text as the message only when it is short, so the body is read from the response.
 */
export function withTokenRefusal(error: unknown, what: string): unknown {
  const response = (error as { response?: { statusCode?: number; body?: unknown } } | undefined)?.response;
  if (response?.statusCode !== 403) return error;
  const body = typeof response.body === 'string' ? response.body.trim() : '';
  return new ConsulTokenRefused(body || 'Permission denied', what);
}
