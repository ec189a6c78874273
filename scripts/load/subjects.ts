import { LOCAL_DEVELOPMENT_SECRET, signAccountToken } from '@streamplane/streaming';
import type { TitleChoice } from './generator';
import type { PlatformCalls } from './platform-calls';
import { discoverViewers, type Viewer } from './viewers';

/** Whom a load run plays as and what it plays, as the platform itself names them. */
export interface LoadSubjects {
  viewers: Viewer[];
  titles: TitleChoice[];
  /** The bearer token of an account, signed once per account. */
  tokenOf: (accountId: string) => string;
}

/** The titles catalog lists as available in `country`, for plays to pick from. */
export async function titlesToPlay(calls: PlatformCalls, country: string): Promise<TitleChoice[]> {
  const page = await calls.call('catalog', 'ListTitles', { country, page_size: 200 });
  if (page.code !== 'OK') throw new Error(`catalog ListTitles answered ${page.code}: is the platform running?`);
  const titles = (page.response as { titles: Array<{ title_id: string; maturity_level: number }> }).titles;
  return titles.map((title) => ({ titleId: title.title_id, maturityLevel: title.maturity_level }));
}

/** Asks catalog for titles available in `country`, profiles and billing for `accounts` viewers. */
export async function loadSubjects(
  calls: PlatformCalls,
  { accounts, country, secret = LOCAL_DEVELOPMENT_SECRET }: { accounts: number; country: string; secret?: string },
): Promise<LoadSubjects> {
  const [titles, viewers] = await Promise.all([titlesToPlay(calls, country), discoverViewers(calls, accounts)]);
  if (viewers.length === 0) throw new Error('profiles and billing named no active account with a profile');
  const tokens = new Map<string, string>();
  const tokenOf = (accountId: string) => {
    let token = tokens.get(accountId);
    if (!token) tokens.set(accountId, (token = signAccountToken(accountId, secret)));
    return token;
  };
  return { viewers, titles, tokenOf };
}
