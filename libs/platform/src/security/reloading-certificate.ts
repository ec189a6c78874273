import type { experimental } from '@grpc/grpc-js';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { identityOfSubjectAltName, spiffeId } from './identity';

/** The files of a certificate directory (STREAMPLANE_TLS_DIR), as Kubernetes TLS secrets and cert-manager name them. */
export const TLS_FILES = { ca: 'ca.crt', cert: 'tls.crt', key: 'tls.key' } as const;

export interface CertificateFiles {
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** A certificate directory's contents, checked: its identity and when the certificate expires. */
export interface CheckedCertificate extends CertificateFiles {
  readonly identity: string;
  readonly validTo: Date;
}

/**
 * The three files of `dir`, read and checked: a CA and a certificate that parse as PEM, a certificate with
 * exactly one identity, and a key that is the certificate's. Returns every problem instead, each a line
 * naming the file, so that a caller can refuse to start (ConfigError) or keep what it had.
 */
export function readCertificateDirectory(dir: string): CheckedCertificate | { problems: string[] } {
  const problems: string[] = [];
  const read = (file: string): Buffer => {
    try {
      return readFileSync(join(dir, file));
    } catch (error) {
      problems.push(`cannot read ${file} in ${dir} (${(error as NodeJS.ErrnoException).code})`);
      return Buffer.alloc(0);
    }
  };
  const files = { ca: read(TLS_FILES.ca), cert: read(TLS_FILES.cert), key: read(TLS_FILES.key) };
  if (problems.length > 0) return { problems };
  const parsed = (file: string, pem: Buffer): X509Certificate | undefined => {
    try {
      return new X509Certificate(pem);
    } catch (error) {
      problems.push(`${file} in ${dir} is no PEM certificate (${(error as Error).message})`);
      return undefined;
    }
  };
  const certificate = parsed(TLS_FILES.cert, files.cert);
  parsed(TLS_FILES.ca, files.ca);
  if (!certificate || problems.length > 0) return { problems };
  const identity = identityOfSubjectAltName(certificate.subjectAltName);
  if (!identity) {
    return {
      problems: [`${TLS_FILES.cert} in ${dir} carries no identity (exactly one URI SAN ${spiffeId('<name>')})`],
    };
  }
  let keyMatches: boolean;
  try {
    keyMatches = certificate.checkPrivateKey(createPrivateKey(files.key));
  } catch (error) {
    return { problems: [`${TLS_FILES.key} in ${dir} is no PEM private key (${(error as Error).message})`] };
  }
  if (!keyMatches) return { problems: [`${TLS_FILES.key} in ${dir} is not the key of ${TLS_FILES.cert}`] };
  return { ...files, identity, validTo: new Date(certificate.validTo) };
}

/** What a reload did: took a renewed certificate, or kept the one it had and why. */
export type CertificateReload =
  | { readonly outcome: 'renewed'; readonly identity: string; readonly validTo: Date }
  | { readonly outcome: 'kept'; readonly problem: string };

/** How often the directory is read again: well inside the minute or so the kubelet takes to swap a Secret's files. */
export const CERTIFICATE_REFRESH_MS = 30_000;

/**
 * A process's certificate directory, read again every refresh while a server or channel uses it: cert-manager
 * renews a certificate before it expires and the chart's hook Job renews its own, the kubelet then swaps the
 * mounted files (atomically, through the ..data symlink) without restarting the pod, and a process that read
 * them once would present an expired certificate at last. A grpc-js CertificateProvider, so that every new
 * connection, served or dialled, takes the latest certificate without a restart.
 *
 * Unlike grpc-js's FileWatcherCertificateProvider, a read that fails, or that finds no valid successor (files
 * that do not parse, a key that is not the certificate's, another identity, since peers check who this
 * process is), keeps the last good certificate and is reported once: a bad file never takes a serving
 * process off the network.
 */
export class ReloadingCertificate implements experimental.CertificateProvider {
  private current: CheckedCertificate;
  private readonly caListeners = new Set<experimental.CaCertificateUpdateListener>();
  private readonly identityListeners = new Set<experimental.IdentityCertificateUpdateListener>();
  private readonly reloadListeners = new Set<(reload: CertificateReload) => void>();
  private timer: NodeJS.Timeout | undefined;
  private lastProblem: string | undefined;

  constructor(
    readonly dir: string,
    initial: CheckedCertificate,
    private readonly refreshMs: number = CERTIFICATE_REFRESH_MS,
  ) {
    this.current = initial;
  }

  /** The certificate presented now. */
  get certificate(): CheckedCertificate {
    return this.current;
  }

  /** Calls `listener` with every renewal and every refusal of what the directory holds. */
  onReload(listener: (reload: CertificateReload) => void): () => void {
    this.reloadListeners.add(listener);
    return () => this.reloadListeners.delete(listener);
  }

  /** Reads the directory now; what a refresh does. */
  refresh(): void {
    const read = readCertificateDirectory(this.dir);
    if ('problems' in read || read.identity !== this.current.identity) {
      const problem =
        'problems' in read
          ? read.problems.join('; ')
          : `${TLS_FILES.cert} in ${this.dir} is now ${read.identity}'s, not ${this.current.identity}'s`;
      if (problem !== this.lastProblem) this.emit({ outcome: 'kept', problem });
      this.lastProblem = problem;
      return;
    }
    this.lastProblem = undefined;
    if (read.cert.equals(this.current.cert) && read.key.equals(this.current.key) && read.ca.equals(this.current.ca)) {
      return;
    }
    this.current = read;
    for (const listener of this.caListeners) listener({ caCertificate: read.ca });
    for (const listener of this.identityListeners) listener({ certificate: read.cert, privateKey: read.key });
    this.emit({ outcome: 'renewed', identity: read.identity, validTo: read.validTo });
  }

  addCaCertificateListener(listener: experimental.CaCertificateUpdateListener): void {
    this.caListeners.add(listener);
    this.watch();
    process.nextTick(listener, { caCertificate: this.current.ca });
  }

  removeCaCertificateListener(listener: experimental.CaCertificateUpdateListener): void {
    this.caListeners.delete(listener);
    this.unwatchWhenUnused();
  }

  addIdentityCertificateListener(listener: experimental.IdentityCertificateUpdateListener): void {
    this.identityListeners.add(listener);
    this.watch();
    process.nextTick(listener, { certificate: this.current.cert, privateKey: this.current.key });
  }

  removeIdentityCertificateListener(listener: experimental.IdentityCertificateUpdateListener): void {
    this.identityListeners.delete(listener);
    this.unwatchWhenUnused();
  }

  private emit(reload: CertificateReload): void {
    for (const listener of this.reloadListeners) listener(reload);
  }

  private watch(): void {
    // Unreferenced: a tool's channel that is never closed must not keep its process alive.
    this.timer ??= setInterval(() => this.refresh(), this.refreshMs).unref();
  }

  private unwatchWhenUnused(): void {
    if (this.caListeners.size > 0 || this.identityListeners.size > 0 || !this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
