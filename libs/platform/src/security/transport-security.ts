import { credentials, ServerCredentials, type ChannelCredentials } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { ConfigError } from '../config/config';
import { identityOfPeer, identityOfSubjectAltName, spiffeId, TRUST_DOMAIN } from './identity';

/**
 * How a process's gRPC ports and channels are secured: plaintext (STREAMPLANE_TLS=disabled, the local
 * default), or mutual TLS with the certificate in STREAMPLANE_TLS_DIR, whose identity is the process's own.
 */
export type TransportSecurity =
  | { readonly mode: 'plaintext' }
  | {
      readonly mode: 'mutual-tls';
      /** The identity of this process's own certificate (its URI SAN). */
      readonly identity: string;
      readonly ca: Buffer;
      readonly cert: Buffer;
      readonly key: Buffer;
    };

export const PLAINTEXT: TransportSecurity = { mode: 'plaintext' };

/** The files of STREAMPLANE_TLS_DIR, as Kubernetes TLS secrets and cert-manager name them. */
export const TLS_FILES = { ca: 'ca.crt', cert: 'tls.crt', key: 'tls.key' } as const;

export interface TransportSecurityConfig {
  STREAMPLANE_TLS: 'enabled' | 'disabled';
  STREAMPLANE_TLS_DIR?: string;
}

/**
 * The transport security `config` asks for, its files read and checked now, so that a missing file or a
 * certificate without an identity stops the process at start with the variable named, not at the first call.
 */
export function loadTransportSecurity(config: TransportSecurityConfig): TransportSecurity {
  if (config.STREAMPLANE_TLS !== 'enabled') return PLAINTEXT;
  const dir = config.STREAMPLANE_TLS_DIR;
  if (!dir) {
    throw new ConfigError([
      `STREAMPLANE_TLS_DIR: must name the directory holding ${Object.values(TLS_FILES).join(', ')} when STREAMPLANE_TLS=enabled (it is not set)`,
    ]);
  }
  const problems: string[] = [];
  const read = (file: string): Buffer => {
    try {
      return readFileSync(join(dir, file));
    } catch (error) {
      problems.push(`STREAMPLANE_TLS_DIR: cannot read ${file} in ${dir} (${(error as NodeJS.ErrnoException).code})`);
      return Buffer.alloc(0);
    }
  };
  const ca = read(TLS_FILES.ca);
  const cert = read(TLS_FILES.cert);
  const key = read(TLS_FILES.key);
  if (problems.length > 0) throw new ConfigError(problems);
  let identity: string | undefined;
  try {
    identity = identityOfSubjectAltName(new X509Certificate(cert).subjectAltName);
  } catch (error) {
    throw new ConfigError([
      `STREAMPLANE_TLS_DIR: ${TLS_FILES.cert} in ${dir} is no PEM certificate (${(error as Error).message})`,
    ]);
  }
  if (!identity) {
    throw new ConfigError([
      `STREAMPLANE_TLS_DIR: ${TLS_FILES.cert} in ${dir} carries no identity (exactly one URI SAN ${spiffeId('<name>')})`,
    ]);
  }
  return { mode: 'mutual-tls', identity, ca, cert, key };
}

/**
 * Channel options of every channel that may dial under TLS: the name sent in SNI. Without it, grpc-js sends
 * the target's host, an IP address under static discovery, which Node warns is not permitted (RFC 6066);
 * the name itself is not checked (see channelCredentials) and is ignored by plaintext channels.
 */
export const TLS_CHANNEL_OPTIONS = { 'grpc.ssl_target_name_override': TRUST_DOMAIN } as const;

/** What a server binds with: under mutual TLS, a client certificate from the CA is required of every caller. */
export function serverCredentials(security: TransportSecurity): ServerCredentials {
  if (security.mode === 'plaintext') return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(security.ca, [{ private_key: security.key, cert_chain: security.cert }], true);
}

/**
 * What a channel dials with: under mutual TLS, this process's certificate, and the callee must present the
 * identity `callee` (when given) instead of a host name: one identity answers at many addresses (pod IPs
 * found through Consul, 127.0.0.1), and the identity is what says it is the service meant.
 */
export function channelCredentials(security: TransportSecurity, callee?: string): ChannelCredentials {
  if (security.mode === 'plaintext') return credentials.createInsecure();
  return credentials.createSsl(security.ca, security.key, security.cert, {
    checkServerIdentity: (_host: string, certificate: PeerCertificate) => {
      const identity = identityOfPeer(certificate);
      if (!identity) return new Error(`the server's certificate carries no ${spiffeId('<name>')} identity`);
      if (callee !== undefined && identity !== callee) {
        return new Error(`expected the server to be ${spiffeId(callee)}, it is ${spiffeId(identity)}`);
      }
      return undefined;
    },
  });
}
