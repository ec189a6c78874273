import type { ServiceDefinitions } from '@streamplane/contracts';
import { Injectable } from '@nestjs/common';
import {
  fromTimestamp,
  Logger,
  ServiceClients,
  statusName,
  type CallOptions,
  type StatusError,
} from '@streamplane/platform';
import type { Title } from '@streamplane/contracts/catalog/v1';
import type { ViewingHistoryEntry } from '@streamplane/contracts/profiles/v1';
import { CatalogSnapshotSource } from './catalog-snapshot.source';
import { fallbackHomeRows, personalisedHomeRows, type HomeRow, type HomeRowsLimits, type WatchedTitle } from './domain';

/**
 * History entries considered: GetViewingHistory's largest page, which is also BatchGetTitles' largest
 * batch. The most recent 100 titles say enough about a profile's tastes.
 */
const HISTORY_ENTRIES = 100;

export interface HomeRowsAnswer {
  rows: HomeRow<Title>[];
  /** True when profiles or catalog could not answer and the rows are the trending fallback. */
  degraded: boolean;
}

/** Thrown by a fallback to turn "the target could not answer" into undefined (see answerOrUnreachable). */
class Unreachable extends Error {
  /** The target's status, so the call's span reports what happened. */
  readonly code: number;

  constructor(readonly failure: StatusError) {
    super(failure.details);
    this.code = failure.code;
  }
}

/** Call options whose fallback raises Unreachable: the target could not answer. */
const RAISE_UNREACHABLE: CallOptions<never> = {
  fallback: (failure) => {
    throw new Unreachable(failure);
  },
};

/**
 * The answer of a call, or undefined when its target could not answer. What counts as "could not answer"
 * (UNAVAILABLE, DEADLINE_EXCEEDED, an open breaker, …) is the resilient client's fallback rule; answers such
 * as NOT_FOUND still throw.
 */
async function answerOrUnreachable<R>(
  call: (options: CallOptions<never>) => Promise<R>,
  onUnreachable: (failure: StatusError) => void,
): Promise<R | undefined> {
  try {
    return await call(RAISE_UNREACHABLE);
  } catch (error) {
    if (!(error instanceof Unreachable)) throw error;
    onUnreachable(error.failure);
    return undefined;
  }
}

/**
 * Assembles GetHomeRows: the profile and its history from profiles (in parallel), the history's titles
 * from catalog, everything else from the catalog snapshot. When profiles or catalog cannot answer, the
 * answer is the trending fallback, flagged degraded; an unknown profile is NOT_FOUND, not an outage.
 */
@Injectable()
export class HomeRowsService {
  constructor(
    private readonly clients: ServiceClients<ServiceDefinitions>,
    private readonly snapshots: CatalogSnapshotSource,
    private readonly logger: Logger,
  ) {}

  async forProfile(profileId: string, limits: HomeRowsLimits): Promise<HomeRowsAnswer> {
    const snapshot = this.snapshots.current();
    const profiles = this.clients.get('profiles');
    const unreachable: string[] = [];
    const note = (dependency: string) => (failure: StatusError) =>
      unreachable.push(`${dependency}: ${statusName(failure.code)} (${failure.details})`);

    const [profile, history] = await Promise.all([
      answerOrUnreachable(
        (options) => profiles.call('GetProfile', { profile_id: profileId }, options),
        note('profiles/GetProfile'),
      ),
      answerOrUnreachable(
        (options) => profiles.call('GetViewingHistory', { profile_id: profileId, page_size: HISTORY_ENTRIES }, options),
        note('profiles/GetViewingHistory'),
      ),
    ]);
    const historyTitles =
      history && profile ? await this.titlesOf(history.entries, note('catalog/BatchGetTitles')) : undefined;

    if (!profile || !history || !historyTitles) {
      this.logger.warn('personalisation unavailable; answering with trending rows', {
        profile_id: profileId,
        country: limits.country,
        unreachable,
      });
      return { rows: fallbackHomeRows(snapshot, limits, profile?.maturity_level), degraded: true };
    }
    const rows = personalisedHomeRows(snapshot, limits, {
      maturityLevel: profile.maturity_level,
      history: history.entries.map(toWatchedTitle),
      historyTitles,
    });
    return { rows, degraded: false };
  }

  /**
   * The history's titles, asked of catalog (all countries: what was watched abroad still tells tastes);
   * undefined when catalog cannot answer. No call for an empty history.
   */
  private async titlesOf(
    entries: readonly ViewingHistoryEntry[],
    onUnreachable: (failure: StatusError) => void,
  ): Promise<Map<string, Title> | undefined> {
    if (entries.length === 0) return new Map();
    const catalog = this.clients.get('catalog');
    const answer = await answerOrUnreachable(
      (options) => catalog.call('BatchGetTitles', { title_ids: entries.map((entry) => entry.title_id) }, options),
      onUnreachable,
    );
    return answer && new Map(answer.titles.map((title) => [title.title_id, title]));
  }
}

function toWatchedTitle(entry: ViewingHistoryEntry): WatchedTitle {
  return {
    titleId: entry.title_id,
    positionSeconds: entry.position_seconds,
    completed: entry.completed,
    watchedAtMs: fromTimestamp(entry.watched_at).getTime(),
  };
}
