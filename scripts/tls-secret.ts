/* eslint-disable no-console -- a command of the chart's hook Job: its log says what it did to the Secret */
import { X509Certificate } from 'node:crypto';
import { apiStatusOf, kubernetesConnection } from './chaos/monkey/kubernetes-cluster';
import { issueCertificate, newCertificateAuthority, type ServerNames } from './certificates';
import { exitWith } from './command-line';

/**
 * `node scripts/dist/tls-secret.js --secret NAME [--namespace NS] --identity NAME[=DNS,DNS…]…`: the chart's
 * pre-install/pre-upgrade hook (helm/streamplane/templates/tls.yaml). Helm's genCA and genSignedCert cannot
 * write a URI SAN, the identity spiffe://streamplane.local/<name>, so this command makes the CA and one
 * certificate per identity (valid for the given DNS names too) into one Secret: ca.crt, <name>.crt,
 * <name>.key. Only when the Secret does not exist: an existing one is kept as it is (upgrades keep the
 * identities and the CA that callers trust), and its Role grants get and create on secrets, nothing more.
 */

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

/** A new CA and a certificate for every identity of `request`, as the Secret's data (PEM strings). */
export function issueAll(request: TlsSecretRequest): Record<string, string> {
  const ca = newCertificateAuthority(`Streamplane CA (${request.secret})`);
  const data: Record<string, string> = { 'ca.crt': ca.certPem };
  for (const identity of request.identities) {
    const names: ServerNames = { dnsNames: identity.dnsNames };
    const { certPem, keyPem } = issueCertificate(ca, identity.name, names);
    data[identityKeys(identity.name).cert] = certPem;
    data[identityKeys(identity.name).key] = keyPem;
  }
  return data;
}

/** What of `request` a kept Secret's data lacks: the keys a pod would fail to mount. */
export function missingKeys(data: Record<string, string>, request: TlsSecretRequest): string[] {
  const wanted = ['ca.crt', ...request.identities.flatMap(({ name }) => Object.values(identityKeys(name)))];
  return wanted.filter((key) => !data[key]);
}

async function ensureTlsSecret(request: TlsSecretRequest): Promise<number> {
  const { client, config, namespace } = await kubernetesConnection({ namespace: request.namespace }, '--namespace');
  const core = config.makeApiClient(client.CoreV1Api);
  const kept = async (): Promise<Record<string, string> | undefined> => {
    try {
      const secret = await core.readNamespacedSecret({ name: request.secret, namespace });
      return Object.fromEntries(
        Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]),
      );
    } catch (error) {
      if (apiStatusOf(error)?.code === 404) return undefined;
      throw error;
    }
  };
  let data = await kept();
  if (!data) {
    const issued = issueAll(request);
    try {
      await core.createNamespacedSecret({
        namespace,
        body: {
          apiVersion: 'v1',
          kind: 'Secret',
          type: 'Opaque',
          metadata: {
            name: request.secret,
            labels: { 'app.kubernetes.io/part-of': 'streamplane', 'app.kubernetes.io/managed-by': 'streamplane-tls' },
            // Not Helm's object, but kept like the chart's own Secret: an uninstall must not drop the CA.
            annotations: { 'helm.sh/resource-policy': 'keep' },
          },
          data: Object.fromEntries(
            Object.entries(issued).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
          ),
        },
      });
      const notAfter = new X509Certificate(issued['ca.crt']!).validTo;
      console.log(
        `created secret ${namespace}/${request.secret}: a new CA (until ${notAfter}) and certificates of ${request.identities.map(({ name }) => name).join(', ')}`,
      );
      return 0;
    } catch (error) {
      // Another run created it meanwhile (two upgrades at once): check theirs, as any kept Secret.
      if (apiStatusOf(error)?.code !== 409) throw error;
      data = (await kept()) ?? {};
    }
  }
  const missing = missingKeys(data, request);
  if (missing.length > 0) {
    console.error(
      `secret ${namespace}/${request.secret} is kept but lacks ${missing.join(', ')}; it is never rewritten (its CA is ` +
        `what every caller trusts): delete it to issue a new CA and every certificate, then restart the pods`,
    );
    return 1;
  }
  console.log(`kept secret ${namespace}/${request.secret}: it holds every identity's certificate`);
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
