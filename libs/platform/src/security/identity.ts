import type { PeerCertificate } from 'node:tls';

/**
 * Service identity, SPIFFE style: a certificate's identity is its URI SAN `spiffe://streamplane.local/<name>`,
 * where name is a service, `edge`, `operator` or `app`. Names, not DNS names, because one identity is
 * reached at many addresses (pod IPs behind Consul, localhost under npm start).
 */
export const TRUST_DOMAIN = 'streamplane.local';

/** The identity that may call every method of every service (a person, the chaos tools). */
export const OPERATOR_IDENTITY = 'operator';

const SPIFFE_PREFIX = `spiffe://${TRUST_DOMAIN}/`;
/** A service-like name: lower-case words joined by hyphens. */
const IDENTITY_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** `spiffe://streamplane.local/<name>`, for a valid name; throws naming the name otherwise. */
export function spiffeId(name: string): string {
  if (!IDENTITY_NAME.test(name)) {
    throw new Error(`"${name}" is not an identity name (lower-case letters, digits and single hyphens)`);
  }
  return `${SPIFFE_PREFIX}${name}`;
}

/**
 * The identity named by a certificate's subjectAltName (Node's "DNS:localhost, URI:spiffe://…" form), or
 * undefined when it has no URI SAN of the trust domain. Two identities in one certificate are none: which
 * one would the policy judge?
 */
export function identityOfSubjectAltName(subjectAltName: string | undefined): string | undefined {
  const names = (subjectAltName ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith(`URI:${SPIFFE_PREFIX}`))
    .map((entry) => entry.slice(`URI:${SPIFFE_PREFIX}`.length));
  if (names.length !== 1) return undefined;
  const [name] = names as [string];
  return IDENTITY_NAME.test(name) ? name : undefined;
}

/** The identity of a TLS peer, from its certificate (undefined without one, or without an identity). */
export function identityOfPeer(certificate: PeerCertificate | undefined): string | undefined {
  return identityOfSubjectAltName(certificate?.subjectaltname);
}
