import { credentials, experimental, ServerCredentials, type ChannelCredentials } from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import { ConfigError } from '../config/config';
import { identityOfPeer, spiffeId, TRUST_DOMAIN } from './identity';
import { readCertificateDirectory, ReloadingCertificate, TLS_FILES } from './reloading-certificate';

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
      /**
       * The directory the certificate came from, read again while in use (a process's STREAMPLANE_TLS_DIR):
       * servers and channels then take a renewed certificate without a restart. Absent: these buffers, always.
       */
      readonly reloading?: ReloadingCertificate;
    };

export const PLAINTEXT: TransportSecurity = { mode: 'plaintext' };

export interface TransportSecurityConfig {
  STREAMPLANE_TLS: 'enabled' | 'disabled';
  STREAMPLANE_TLS_DIR?: string;
}

/** One reloading certificate per directory: a process's server and channels read it once per refresh. */
const reloadingByDirectory = new Map<string, ReloadingCertificate>();

/**
 * The transport security `config` asks for, its files read and checked now, so that a missing file or a
 * certificate without an identity stops the process at start with the variable named, not at the first call;
 * the directory is read again while in use (ReloadingCertificate).
 */
export function loadTransportSecurity(config: TransportSecurityConfig): TransportSecurity {
  if (config.STREAMPLANE_TLS !== 'enabled') return PLAINTEXT;
  const dir = config.STREAMPLANE_TLS_DIR;
  if (!dir) {
    throw new ConfigError([
      `STREAMPLANE_TLS_DIR: must name the directory holding ${Object.values(TLS_FILES).join(', ')} when STREAMPLANE_TLS=enabled (it is not set)`,
    ]);
  }
  const loaded = loadCertificateDirectory(dir, 'STREAMPLANE_TLS_DIR');
  let reloading = reloadingByDirectory.get(dir);
  if (!reloading || reloading.certificate.identity !== loaded.identity) {
    reloading = new ReloadingCertificate(dir, loaded);
    reloadingByDirectory.set(dir, reloading);
  }
  return { ...loaded, reloading };
}

/**
 * Mutual TLS with the CA, certificate and key in `dir` (TLS_FILES), read and checked now, never again;
 * `variable` is the setting that named the directory, which every problem names.
 */
export function loadCertificateDirectory(
  dir: string,
  variable: string,
): TransportSecurity & { mode: 'mutual-tls'; validTo: Date } {
  const read = readCertificateDirectory(dir);
  if ('problems' in read) throw new ConfigError(read.problems.map((problem) => `${variable}: ${problem}`));
  return { mode: 'mutual-tls', ...read };
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
  if (security.reloading) {
    // One provider serves both the CA and the identity (which also makes grpc-js's argument order moot).
    return experimental.createCertificateProviderServerCredentials(security.reloading, security.reloading, true);
  }
  return ServerCredentials.createSsl(security.ca, [{ private_key: security.key, cert_chain: security.cert }], true);
}

/**
 * What a channel dials with: under mutual TLS, this process's certificate, and the callee must present the
 * identity `callee` (when given) instead of a host name: one identity answers at many addresses (pod IPs
 * found through Consul, 127.0.0.1), and the identity is what says it is the service meant.
 */
export function channelCredentials(security: TransportSecurity, callee?: string): ChannelCredentials {
  if (security.mode === 'plaintext') return credentials.createInsecure();
  const checkServerIdentity = (_host: string, certificate: PeerCertificate) => {
    const identity = identityOfPeer(certificate);
    if (!identity) return new Error(`the server's certificate carries no ${spiffeId('<name>')} identity`);
    if (callee !== undefined && identity !== callee) {
      return new Error(`expected the server to be ${spiffeId(callee)}, it is ${spiffeId(identity)}`);
    }
    return undefined;
  };
  if (security.reloading) {
    return experimental.createCertificateProviderChannelCredentials(security.reloading, security.reloading, {
      checkServerIdentity,
    });
  }
  return credentials.createSsl(security.ca, security.key, security.cert, { checkServerIdentity });
}
