/* eslint-disable no-console -- a command-line tool: its output is the token */
import { LOCAL_DEVELOPMENT_SECRET, signAccountToken } from '@streamplane/streaming';

/**
 * `npm run --silent token -- <account_id> [--ttl <seconds>]`: prints an account token for local calls
 * (authorization: Bearer <token>), signed with STREAMPLANE_AUTH_SECRET or, when it is unset, the same
 * local-development secret an unconfigured playback-authorization uses.
 */

const USAGE = 'usage: npm run --silent token -- <account_id> [--ttl <seconds>]   (e.g. acct-0001)';
const DAY_SECONDS = 24 * 3600;

function main(args: string[]): number {
  const ttlIndex = args.indexOf('--ttl');
  const ttl = ttlIndex >= 0 ? Number(args[ttlIndex + 1]) : DAY_SECONDS;
  const positional = ttlIndex >= 0 ? [...args.slice(0, ttlIndex), ...args.slice(ttlIndex + 2)] : args;
  const accountId = positional[0] ?? '';
  if (positional.length !== 1 || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(accountId)) {
    console.error(USAGE);
    return 2;
  }
  if (!Number.isInteger(ttl) || ttl < 1) {
    console.error(`--ttl must be a whole number of seconds ≥ 1\n${USAGE}`);
    return 2;
  }
  const secret = process.env.STREAMPLANE_AUTH_SECRET || LOCAL_DEVELOPMENT_SECRET;
  console.log(signAccountToken(accountId, secret, { expiresInSeconds: ttl }));
  return 0;
}

process.exitCode = main(process.argv.slice(2));
