import type { PlatformCalls } from './platform-calls';

/**
 * The viewers a load run plays as: accounts and profiles taken from what profiles and billing answer
 * (the seeded ids follow the documented pattern acct-0001…, each checked with the services), each with
 * its stream limit, so that no play is refused by a limit the generator itself ran into.
 */

export interface Viewer {
  accountId: string;
  profileId: string;
  maxStreams: number;
  maturityLevel: number;
}

interface ProfilesAnswer {
  profiles?: Array<{ profile_id: string; maturity_level: number; kids: boolean }>;
}

interface EntitlementAnswer {
  active?: boolean;
  max_streams?: number;
}

/** Asks profiles and billing about accounts acct-0001… in batches; keeps active accounts with a profile. */
export async function discoverViewers(calls: PlatformCalls, accounts: number, batch = 50): Promise<Viewer[]> {
  const viewers: Viewer[] = [];
  for (let first = 1; first <= accounts; first += batch) {
    const ids = Array.from({ length: Math.min(batch, accounts - first + 1) }, (_, i) => accountId(first + i));
    const answers = await Promise.all(
      ids.map(async (id) => {
        const [profiles, entitlement] = await Promise.all([
          calls.call('profiles', 'ListProfiles', { account_id: id, page_size: 10 }),
          calls.call('billing', 'GetEntitlement', { account_id: id }),
        ]);
        return {
          id,
          profiles: profiles.response as ProfilesAnswer,
          entitlement: entitlement.response as EntitlementAnswer,
        };
      }),
    );
    for (const { id, profiles, entitlement } of answers) {
      if (!entitlement?.active || !entitlement.max_streams) continue;
      const adult = profiles?.profiles?.find((profile) => !profile.kids);
      if (adult) {
        viewers.push({
          accountId: id,
          profileId: adult.profile_id,
          maxStreams: entitlement.max_streams,
          maturityLevel: adult.maturity_level,
        });
      }
    }
  }
  return viewers;
}

function accountId(n: number): string {
  return `acct-${String(n).padStart(4, '0')}`;
}

/**
 * Leases viewers for plays so that no account goes over its stream limit. A stream a run could not stop
 * stays taken, past the end of that run, until the session expires on the server: the pool outlives runs
 * (runs side by side and one after another share it), so the next run does not meet that stream as a
 * refusal for a limit the generator itself used up.
 */
export class ViewerPool {
  private readonly active = new Map<string, number>();
  private readonly held: Array<{ viewer: Viewer; untilMs: number }> = [];
  private nextHeldUntilMs = Infinity;
  private cursor = 0;

  constructor(readonly viewers: readonly Viewer[]) {}

  /** Any viewer, for actions that open no stream. */
  any(random: () => number): Viewer | undefined {
    return this.viewers[Math.floor(random() * this.viewers.length)];
  }

  /**
   * A viewer with a free stream at `nowMs`, leased until `release`; undefined when every account is at
   * its limit.
   */
  lease(nowMs: number): Viewer | undefined {
    if (nowMs >= this.nextHeldUntilMs) this.endHoldsBy(nowMs);
    for (let tried = 0; tried < this.viewers.length; tried++) {
      const viewer = this.viewers[this.cursor]!;
      this.cursor = (this.cursor + 1) % this.viewers.length;
      const streams = this.active.get(viewer.accountId) ?? 0;
      if (streams < viewer.maxStreams) {
        this.active.set(viewer.accountId, streams + 1);
        return viewer;
      }
    }
    return undefined;
  }

  /**
   * Gives the viewer's stream back: now, or, for a session that is still open on the server, only at
   * `openUntilMs` (when it expires there).
   */
  release(viewer: Viewer, openUntilMs?: number): void {
    if (openUntilMs === undefined) {
      const streams = (this.active.get(viewer.accountId) ?? 1) - 1;
      if (streams <= 0) this.active.delete(viewer.accountId);
      else this.active.set(viewer.accountId, streams);
      return;
    }
    this.held.push({ viewer, untilMs: openUntilMs });
    this.nextHeldUntilMs = Math.min(this.nextHeldUntilMs, openUntilMs);
  }

  /** Streams leased or held now, for tests. */
  get leased(): number {
    return [...this.active.values()].reduce((sum, count) => sum + count, 0);
  }

  private endHoldsBy(nowMs: number): void {
    const stillHeld = this.held.filter(({ untilMs }) => untilMs > nowMs);
    for (const { viewer, untilMs } of this.held) if (untilMs <= nowMs) this.release(viewer);
    this.held.splice(0, this.held.length, ...stillHeld);
    this.nextHeldUntilMs = stillHeld.reduce((earliest, { untilMs }) => Math.min(earliest, untilMs), Infinity);
  }
}
