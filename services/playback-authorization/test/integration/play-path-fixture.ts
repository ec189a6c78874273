import { SERVICES, type ServiceName } from '@streamplane/contracts';
import { testClient, startServiceProcess, type ServiceProcess } from '@streamplane/testkit';
import { LOCAL_DEVELOPMENT_SECRET, signAccountToken } from '@streamplane/streaming';

export interface Timestamp {
  seconds: string;
}
export interface Rendition {
  codec: string;
  height: number;
  bitrate_kbps: number;
  hdr: boolean;
}
export interface Grant {
  playback_session_id: string;
  license_token: string;
  expires_at: Timestamp;
  renditions: Rendition[];
  cdn_urls: { url: string; appliance_id: string; rank: number; expires_at: Timestamp }[];
  subtitle_tracks: { track_id: string; language: string }[];
  degraded_features: string[];
}

const PREMIUM_4K_HDR_DEVICE = {
  device_id: 'tv-living-room',
  max_height: 2160,
  supports_hdr: true,
  codecs: ['h264', 'hevc', 'av1'],
};
const US_CLIENT = { ip: '203.0.113.7', country: 'US', asn: 0 };

export function bearer(accountId: string, options: { secret?: string; expiresInSeconds?: number } = {}) {
  const token = signAccountToken(accountId, options.secret ?? LOCAL_DEVELOPMENT_SECRET, options);
  return { authorization: `Bearer ${token}` };
}

export function play(profileId: string, titleId = 'tt00001', overrides: Record<string, unknown> = {}) {
  return { profile_id: profileId, title_id: titleId, device: PREMIUM_4K_HDR_DEVICE, client: US_CLIENT, ...overrides };
}

/** Seeded accounts beyond the fixtures (acct-0001..0009) that the stream-limit tests may use up. */
const SPARE_ACCOUNTS = { first: 10, last: 60 };

export interface PlayPathProcesses {
  /** A playback-authorization process asking the running dependencies; stopped with the rest. */
  startPlayback(env?: Record<string, string>): Promise<ServiceProcess>;
  /** A seeded account with an active `plan` that no other test has taken: each stream-limit test gets its own. */
  accountOnPlan(plan: string): string;
  stop(): Promise<void>;
}

/**
 * Real processes of the whole play path: the five services playback-authorization asks, all with fault
 * injection enabled so a test can make one dependency fail for one request.
 */
export async function startPlayPath(): Promise<PlayPathProcesses> {
  const started: ServiceProcess[] = [];
  const stop = () => Promise.all(started.map((service) => service.stop())).then(() => undefined);
  try {
    const catalog = await startServiceProcess('catalog', { STREAMPLANE_FAULTS: 'enabled' });
    started.push(catalog);
    const others = await Promise.all(
      (['profiles', 'billing', 'subtitles', 'steering'] as const).map((name) =>
        startServiceProcess(name, { CATALOG_ADDR: catalog.address, STREAMPLANE_FAULTS: 'enabled' }),
      ),
    );
    started.push(...others);
    const addresses = Object.fromEntries(
      started.map((service) => [`${(service.name as ServiceName).toUpperCase()}_ADDR`, service.address]),
    );
    const accountsByPlan = await accountsOnActivePlans(started.find((service) => service.name === 'billing')!);
    return {
      async startPlayback(env = {}) {
        const playback = await startServiceProcess('playback-authorization', {
          ...addresses,
          STREAMPLANE_FAULTS: 'enabled',
          ...env,
        });
        started.push(playback);
        return playback;
      },
      accountOnPlan(plan) {
        const account = accountsByPlan.get(plan)?.shift();
        if (!account) throw new Error(`no spare seeded account on the ${plan} plan`);
        return account;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function accountsOnActivePlans(billingProcess: ServiceProcess): Promise<Map<string, string[]>> {
  const billing = testClient(SERVICES.billing, billingProcess.address);
  const accountsByPlan = new Map<string, string[]>();
  try {
    for (let n = SPARE_ACCOUNTS.first; n <= SPARE_ACCOUNTS.last; n++) {
      const accountId = `acct-${String(n).padStart(4, '0')}`;
      const entitlement = await billing.call<{ active: boolean; plan_id: string }>('GetEntitlement', {
        account_id: accountId,
      });
      if (entitlement.active)
        accountsByPlan.set(entitlement.plan_id, [...(accountsByPlan.get(entitlement.plan_id) ?? []), accountId]);
    }
  } finally {
    billing.close();
  }
  return accountsByPlan;
}
