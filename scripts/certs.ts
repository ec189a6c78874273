/* eslint-disable no-console -- a command-line tool: it tells a person where the certificate went */
import { join, resolve } from 'node:path';
import { IDENTITY_NAMES } from '@streamplane/contracts';
import { spiffeId } from '@streamplane/platform';
import { DevelopmentCa, developmentCaDirectory } from './certificates';
import { exitWith } from './command-line';

/**
 * `npm run certs -- --identity NAME [--out DIR]`: ca.crt, tls.crt and tls.key for NAME (a service, edge,
 * operator or app) from the development CA that `STREAMPLANE_TLS=enabled npm start` uses, so that a person
 * or a test can call the platform as that identity. DIR defaults to identities/<NAME> beside the CA, out of
 * the repository as the CA is: a private key has no business in a work tree.
 */

const USAGE = 'usage: npm run certs -- --identity NAME [--out DIR]   (NAME: a service, edge, operator or app)';

function parseCertsArguments(args: readonly string[]): { identity: string; out?: string } {
  let identity: string | undefined;
  let out: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = args[i + 1];
    if ((arg === '--identity' || arg === '--out') && (value === undefined || value.startsWith('--'))) {
      throw new CertsUsageError(`${arg} needs a value`);
    }
    if (arg === '--identity') identity = value;
    else if (arg === '--out') out = value;
    else throw new CertsUsageError(`unknown option ${arg}`);
    i++;
  }
  if (identity === undefined) throw new CertsUsageError('--identity is required');
  if (!IDENTITY_NAMES.includes(identity)) {
    throw new CertsUsageError(`--identity: "${identity}" is none of ${IDENTITY_NAMES.join(', ')}`);
  }
  return { identity, out: out === undefined ? undefined : resolve(out) };
}

class CertsUsageError extends Error {}

exitWith('certs', async () => {
  let options: { identity: string; out?: string };
  try {
    options = parseCertsArguments(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof CertsUsageError)) throw error;
    console.error(`${error.message}\n${USAGE}`);
    return 2;
  }
  const ca = DevelopmentCa.open(developmentCaDirectory(process.env));
  // Issued anew even where one exists: asking for a certificate is how to replace a lost or leaked one.
  const dir = ca.issueInto(options.identity, options.out ?? join(ca.dir, 'identities', options.identity));
  console.log(`${spiffeId(options.identity)}: ca.crt, tls.crt and tls.key in ${dir} (CA in ${ca.dir})`);
  return 0;
});
