import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import forge from 'node-forge';
import { spiffeId, TLS_FILES, TRUST_DOMAIN } from '@streamplane/platform';
import { runDirectory } from './run-file';

/**
 * The development CA of `STREAMPLANE_TLS=enabled npm start` and `npm run certs`: made once, on first use,
 * outside the repository (STREAMPLANE_DEV_CA_DIR, else dev-ca/ in the run directory), and reused, so that a
 * certificate issued for a person keeps working across restarts. It issues certificates whose identity is
 * the URI SAN spiffe://streamplane.local/<name>; each is also valid for localhost and 127.0.0.1, the local
 * addresses, and for both ends of a connection (a service serves and calls with the same one).
 * Keys come from Node's crypto (native and fast); node-forge only writes the X.509 structures.
 */

const CA_FILES = { cert: 'ca.crt', key: 'ca.key' } as const;
const CA_VALIDITY_DAYS = 3650;
const CERTIFICATE_VALIDITY_DAYS = 397;
const DAY_MS = 24 * 3600 * 1000;

/** Where the development CA lives: STREAMPLANE_DEV_CA_DIR, else dev-ca/ under the run directory. */
export function developmentCaDirectory(env: NodeJS.ProcessEnv): string {
  return env.STREAMPLANE_DEV_CA_DIR || join(runDirectory(env), 'dev-ca');
}

export interface KeyAndCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

export class DevelopmentCa {
  private constructor(
    readonly dir: string,
    private readonly ca: KeyAndCertificate,
  ) {}

  /** The CA in `dir`, made there first when there is none. */
  static open(dir: string): DevelopmentCa {
    if (!existsSync(join(dir, CA_FILES.cert))) DevelopmentCa.create(dir);
    return new DevelopmentCa(dir, {
      certPem: readFileSync(join(dir, CA_FILES.cert), 'utf8'),
      keyPem: readFileSync(join(dir, CA_FILES.key), 'utf8'),
    });
  }

  get certPem(): string {
    return this.ca.certPem;
  }

  /** A certificate and key for `name`, signed by this CA, valid for the local addresses too. */
  issue(name: string): KeyAndCertificate {
    return issueCertificate(this.ca, name, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  }

  /** Writes ca.crt, tls.crt and tls.key for `name` into `outDir` (the layout of STREAMPLANE_TLS_DIR). */
  issueInto(name: string, outDir: string): string {
    const { certPem, keyPem } = this.issue(name);
    mkdirSync(outDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(outDir, TLS_FILES.ca), this.ca.certPem);
    writeFileSync(join(outDir, TLS_FILES.cert), certPem);
    writeFileSync(join(outDir, TLS_FILES.key), keyPem, { mode: 0o600 });
    return outDir;
  }

  /** The certificate of `name` kept beside the CA (identities/<name>), issued the first time it is asked for. */
  identityDir(name: string): string {
    const dir = join(this.dir, 'identities', name);
    return existsSync(join(dir, TLS_FILES.key)) ? dir : this.issueInto(name, dir);
  }

  /**
   * Made in a directory of its own and renamed into place, so that two processes making it at once (two
   * test files) end with one CA, whichever renamed first, and never a certificate without its key.
   */
  private static create(dir: string): void {
    const staging = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}`;
    mkdirSync(staging, { recursive: true, mode: 0o700 });
    const { certPem, keyPem } = newCertificateAuthority(`Streamplane development CA (${TRUST_DOMAIN})`);
    writeFileSync(join(staging, CA_FILES.key), keyPem, { mode: 0o600 });
    writeFileSync(join(staging, CA_FILES.cert), certPem);
    mkdirSync(dirname(dir), { recursive: true });
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another process made it first (the target exists and is not empty): use theirs.
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(join(dir, CA_FILES.cert))) throw error;
    }
  }
}

/**
 * A new self-signed CA, in memory: the development CA's, and the one the chart's hook Job keeps in a Secret
 * (scripts/tls-secret.ts).
 */
export function newCertificateAuthority(commonName: string): KeyAndCertificate {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const subject = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'Streamplane' },
  ];
  return signed(subject, forge.pki.privateKeyFromPem(keyPem), {
    subject,
    validityDays: CA_VALIDITY_DAYS,
    keys: { keyPem, publicPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ],
  });
}

/** Where a certificate is valid besides its identity: host names (e.g. a Kubernetes Service's) and addresses. */
export interface ServerNames {
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
}

/**
 * A certificate and key for `name` signed by `ca`: its one URI SAN is the identity, the other names are
 * for clients that check a host name (grpcurl); both usages, since every process serves and calls with it.
 */
export function issueCertificate(ca: KeyAndCertificate, name: string, names: ServerNames = {}): KeyAndCertificate {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  return signed(caCert.subject.attributes, forge.pki.privateKeyFromPem(ca.keyPem), {
    subject: [{ name: 'commonName', value: name }],
    validityDays: CERTIFICATE_VALIDITY_DAYS,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 6, value: spiffeId(name) },
          ...(names.dnsNames ?? []).map((value) => ({ type: 2, value })),
          ...(names.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
        ],
      },
    ],
  });
}

interface CertificateRequest {
  subject: forge.pki.CertificateField[];
  validityDays: number;
  extensions: object[];
  /** The subject's own keys; new ones when not given. */
  keys?: { keyPem: string; publicPem: string };
}

/** A certificate for `request`, issued by `issuer` (subject attributes) with `issuerKey`; PEM both. */
function signed(
  issuer: forge.pki.CertificateField[],
  issuerKey: forge.pki.PrivateKey,
  request: CertificateRequest,
): KeyAndCertificate {
  const keys = request.keys ?? newKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicPem);
  // Positive and unique enough for a development CA: 16 random bytes, top bit clear.
  cert.serialNumber = `0${randomBytes(16).toString('hex')}`;
  const now = Date.now();
  cert.validity.notBefore = new Date(now - DAY_MS);
  cert.validity.notAfter = new Date(now + request.validityDays * DAY_MS);
  cert.setSubject(request.subject);
  cert.setIssuer(issuer);
  cert.setExtensions(request.extensions);
  cert.sign(issuerKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

function newKeys(): { keyPem: string; publicPem: string } {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    keyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
