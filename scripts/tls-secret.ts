/* eslint-disable no-console -- a command of the chart's hook Job: its log says what it did to the Secret */
import { X509Certificate } from 'node:crypto';
import { apiStatusOf, kubernetesConnection } from './chaos/monkey/kubernetes-cluster';
import { issueCertificate, newCertificateAuthority, type KeyAndCertificate, type ServerNames } from './certificates';
import { exitWith } from './command-line';

/**
 * `node scripts/dist/tls-secret.js --secret NAME [--namespace NS] --identity NAME[=DNS,DNS…]…`: the chart's
 * pre-install/pre-upgrade hook (helm/streamplane/templates/tls.yaml). Helm's genCA and genSignedCert cannot
 * write a URI SAN, the identity spiffe://streamplane.local/<name>, so this command makes the CA and one
 * certificate per identity (valid for the given DNS names too) into one Secret: ca.crt, <name>.crt,
 * <name>.key. The CA's key goes to a Secret of its own, NAME-ca, which no pod mounts.
 *
 * At every later run (each upgrade) the Secret is kept, its CA with it (what every caller trusts), and the
 * certificates it lacks or that expire within RENEW_WITHIN_DAYS are issued again by that CA and written
 * back in one replace: the kubelet swaps the mounted files and each process takes them within its refresh
 * (ReloadingCertificate), without a restart. A Secret whose CA key is not kept (made before renewal, or
 * by hand) is never rewritten: its expiring certificates are said, and a missing one fails the run. Its
 * Role grants get on the two names, create on secrets, update on the one Secret, nothing more.
 */

export const RENEW_WITHIN_DAYS = 30;
const DAY_MS = 24 * 3600 * 1000;

/** The Secret holding the CA's key beside NAME's certificates. */
export const caSecretName = (secret: string) => `${secret}-ca`;
const CA_KEYS = { cert: 'ca.crt', key: 'ca.key' } as const;

export interface TlsSecretRequest {
  readonly secret: string;
  readonly namespace?: string;
  readonly identities: ReadonlyArray<{ readonly name: string; readonly dnsNames: readonly string[] }>;
}

export class TlsSecretUsageError extends Error {}

const USAGE =
  'usage: node scripts/dist/tls-secret.js --secret NAME [--namespace NS] --identity NAME[=DNS,DNS…] [--identity …]';

export function parseTlsSecretArguments(args: readonly string[]): TlsSecretRequest {
  let secret: string | undefined;
  let namespace: string | undefined;
  const identities: Array<{ name: string; dnsNames: string[] }> = [];
  for (let i = 0; i < args.length; i += 2) {
    const [option, value] = [args[i], args[i + 1]];
    if (value === undefined || value.startsWith('--')) throw new TlsSecretUsageError(`${option} needs a value`);
    if (option === '--secret') secret = value;
    else if (option === '--namespace') namespace = value;
    else if (option === '--identity') {
      const [name = '', dnsNames = ''] = value.split('=', 2);
      identities.push({ name, dnsNames: dnsNames.split(',').filter(Boolean) });
    } else throw new TlsSecretUsageError(`unknown option ${option}`);
  }
  if (!secret) throw new TlsSecretUsageError('--secret is required');
  if (identities.length === 0) throw new TlsSecretUsageError('at least one --identity is required');
  return { secret, namespace, identities };
}

/** The Secret's keys of `name`'s certificate and key (the chart's Deployments map them to tls.crt, tls.key). */
export const identityKeys = (name: string) => ({ cert: `${name}.crt`, key: `${name}.key` });

/** A certificate of each of `identities`, issued by `ca`, as the Secret's data (PEM strings). */
export function issueFor(ca: KeyAndCertificate, identities: TlsSecretRequest['identities']): Record<string, string> {
  const data: Record<string, string> = {};
  for (const identity of identities) {
    const names: ServerNames = { dnsNames: identity.dnsNames };
    const { certPem, keyPem } = issueCertificate(ca, identity.name, names);
    data[identityKeys(identity.name).cert] = certPem;
    data[identityKeys(identity.name).key] = keyPem;
  }
  return data;
}

/**
 * The identities of `request` whose certificate a kept Secret's `data` lacks, does not parse, or that
 * expires within RENEW_WITHIN_DAYS of `now`.
 */
export function identitiesDue(data: Record<string, string>, request: TlsSecretRequest, now: Date): string[] {
  const renewBy = now.getTime() + RENEW_WITHIN_DAYS * DAY_MS;
  return request.identities
    .map(({ name }) => name)
    .filter((name) => {
      const { cert, key } = identityKeys(name);
      if (!data[cert] || !data[key]) return true;
      try {
        return new Date(new X509Certificate(data[cert]).validTo).getTime() < renewBy;
      } catch {
        return true;
      }
    });
}

/** What of `request` a kept Secret's data lacks: the keys a pod would fail to mount. */
export function missingKeys(data: Record<string, string>, request: TlsSecretRequest): string[] {
  const wanted = ['ca.crt', ...request.identities.flatMap(({ name }) => Object.values(identityKeys(name)))];
  return wanted.filter((key) => !data[key]);
}

type Data = Record<string, string>;

const encoded = (data: Data) =>
  Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')]));
const decodedData = (data: Record<string, string> | undefined): Data =>
  Object.fromEntries(Object.entries(data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]));

async function ensureTlsSecret(request: TlsSecretRequest): Promise<number> {
  const { client, config, namespace } = await kubernetesConnection({ namespace: request.namespace }, '--namespace');
  const core = config.makeApiClient(client.CoreV1Api);
  const secretName = request.secret;
  const where = (name: string) => `${namespace}/${name}`;
  /** The Secret `name`, or undefined when there is none. */
  const read = async (name: string) => {
    try {
      return await core.readNamespacedSecret({ name, namespace });
    } catch (error) {
      if (apiStatusOf(error)?.code === 404) return undefined;
      throw error;
    }
  };
  /** Creates the Secret `name`; false when another run created it meanwhile (two upgrades at once). */
  const created = async (name: string, data: Data) => {
    try {
      await core.createNamespacedSecret({
        namespace,
        body: {
          apiVersion: 'v1',
          kind: 'Secret',
          type: 'Opaque',
          metadata: {
            name,
            labels: { 'app.kubernetes.io/part-of': 'streamplane', 'app.kubernetes.io/managed-by': 'streamplane-tls' },
            // Not Helm's object, but kept like the chart's own Secret: an uninstall must not drop the CA.
            annotations: { 'helm.sh/resource-policy': 'keep' },
          },
          data: encoded(data),
        },
      });
      return true;
    } catch (error) {
      if (apiStatusOf(error)?.code !== 409) throw error;
      return false;
    }
  };
  const caName = caSecretName(secretName);
  /** The CA kept in its own Secret, with its key, or undefined when there is none (or it lacks either). */
  const keptCa = async (): Promise<KeyAndCertificate | undefined> => {
    const data = decodedData((await read(caName))?.data);
    return data[CA_KEYS.cert] && data[CA_KEYS.key]
      ? { certPem: data[CA_KEYS.cert], keyPem: data[CA_KEYS.key] }
      : undefined;
  };

  let kept = await read(secretName);
  let ca = await keptCa();
  if (!kept) {
    // The CA's own Secret first: a run that stops between the two leaves a CA the next run issues from.
    if (!ca) {
      const made = newCertificateAuthority(`Streamplane CA (${secretName})`);
      const data = { [CA_KEYS.cert]: made.certPem, [CA_KEYS.key]: made.keyPem };
      ca = (await created(caName, data)) ? made : await keptCa();
      if (!ca) throw new Error(`secret ${where(caName)} holds no ${CA_KEYS.cert} and ${CA_KEYS.key}`);
    }
    if (await created(secretName, { 'ca.crt': ca.certPem, ...issueFor(ca, request.identities) })) {
      console.log(
        `created secret ${where(secretName)}: certificates of ${request.identities.map(({ name }) => name).join(', ')} ` +
          `from the CA in ${where(caName)} (until ${new X509Certificate(ca.certPem).validTo})`,
      );
      return 0;
    }
    kept = await read(secretName);
    if (!kept) throw new Error(`secret ${where(secretName)} was created by another run and is gone again`);
  }
  const data = decodedData(kept.data);
  const due = identitiesDue(data, request, new Date());
  if (due.length === 0) {
    console.log(
      `kept secret ${where(secretName)}: every identity's certificate is good for ${RENEW_WITHIN_DAYS} days more`,
    );
    return 0;
  }
  if (!ca || ca.certPem !== data['ca.crt']) {
    const missing = missingKeys(data, request);
    const why =
      `its CA's key is not kept in ${where(caName)}, so it is never rewritten (its CA is what every caller ` +
      `trusts): delete it to issue a new CA and every certificate, then restart the pods`;
    if (missing.length > 0) {
      console.error(`secret ${where(secretName)} is kept but lacks ${missing.join(', ')}; ${why}`);
      return 1;
    }
    console.error(
      `secret ${where(secretName)} holds certificates of ${due.join(', ')} that expire within ${RENEW_WITHIN_DAYS} days; ${why}`,
    );
    return 0;
  }
  const renewed = issueFor(
    ca,
    request.identities.filter(({ name }) => due.includes(name)),
  );
  try {
    // A replace with the read resourceVersion: a Secret changed since is refused (409), never overwritten.
    await core.replaceNamespacedSecret({
      name: secretName,
      namespace,
      body: { ...kept, data: encoded({ ...data, ...renewed }) },
    });
  } catch (error) {
    if (apiStatusOf(error)?.code !== 409) throw error;
    console.error(`secret ${where(secretName)} changed while its certificates were renewed; run again`);
    return 1;
  }
  console.log(
    `renewed certificates of ${due.join(', ')} in secret ${where(secretName)}: the pods present them within ` +
      `about two minutes (the kubelet's sync, then each process's refresh), without a restart`,
  );
  return 0;
}

if (require.main === module) {
  exitWith('tls-secret', async () => {
    let request: TlsSecretRequest;
    try {
      request = parseTlsSecretArguments(process.argv.slice(2));
    } catch (error) {
      if (!(error instanceof TlsSecretUsageError)) throw error;
      console.error(`${error.message}\n${USAGE}`);
      return 2;
    }
    return ensureTlsSecret(request);
  });
}
