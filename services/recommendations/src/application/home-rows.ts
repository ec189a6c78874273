import type { Title } from '@streamplane/contracts/catalog/v1';
import type { Logger } from '@streamplane/platform';
import {
  fallbackHomeRows,
  personalisedHomeRows,
  type CatalogSnapshot,
  type HomeRow,
  type HomeRowsLimits,
} from '../domain';
import type { CatalogSnapshots, HistoryTitles, ProfileDirectory } from './ports';

/**
 * History entries considered: GetViewingHistory's largest page, which is also BatchGetTitles' largest
 * batch. The most recent 100 titles say enough about a profile's tastes.
 */
export const HISTORY_ENTRIES = 100;

export interface HomeRowsAnswer {
  rows: HomeRow<Title>[];
  /** True when profiles or catalog could not answer and the rows are the trending fallback. */
  degraded: boolean;
}

export interface HomeRowsPorts {
  readonly profiles: ProfileDirectory;
  readonly historyTitles: HistoryTitles;
  readonly snapshots: CatalogSnapshots;
  readonly logger: Logger;
}

/**
 * Assembles GetHomeRows: the profile and its history from profiles (in parallel), everything else from
 * the catalog snapshot (catalog is asked only for history titles newer than the snapshot). When any of them cannot answer, the answer is
 * the trending fallback, flagged degraded; an unknown profile is NOT_FOUND, not an outage.
 */
export class HomeRows {
  constructor(private readonly ports: HomeRowsPorts) {}

  async forProfile(profileId: string, limits: HomeRowsLimits): Promise<HomeRowsAnswer> {
    const { profiles, snapshots, logger } = this.ports;
    const snapshot = snapshots.current();
    const [profile, history] = await Promise.all([
      profiles.profile(profileId),
      profiles.viewingHistory(profileId, HISTORY_ENTRIES),
    ]);
    const historyTitles =
      profile && history
        ? await this.titlesOf(
            snapshot,
            history.map((entry) => entry.titleId),
          )
        : undefined;

    if (!profile || !history || !historyTitles) {
      // The outage itself is logged once per transition by the resilient client; this is the per-answer trace.
      logger.debug('personalisation unavailable; answering with trending rows', {
        profile_id: profileId,
        country: limits.country,
        went_without: [
          ...(profile ? [] : ['profile']),
          ...(history ? [] : ['viewing history']),
          // The titles are only asked for once both of the above arrived.
          ...(profile && history ? ['history titles'] : []),
        ],
      });
      return { rows: fallbackHomeRows(snapshot, limits, profile?.maturityLevel), degraded: true };
    }
    const rows = personalisedHomeRows(snapshot, limits, {
      maturityLevel: profile.maturityLevel,
      history,
      historyTitles,
    });
    return { rows, degraded: false };
  }

  /**
   * The history's titles by id: from the snapshot, which holds every title of the catalog as of its last
   * refresh, and from catalog only for titles newer than that. Undefined when catalog cannot answer for
   * those; no call at all when the snapshot holds them all.
   */
  private async titlesOf(
    snapshot: CatalogSnapshot<Title>,
    titleIds: readonly string[],
  ): Promise<Map<string, Title> | undefined> {
    const titles = new Map<string, Title>();
    const newer: string[] = [];
    for (const titleId of titleIds) {
      const title = snapshot.title(titleId);
      if (title) titles.set(titleId, title);
      else newer.push(titleId);
    }
    if (newer.length === 0) return titles;
    const fetched = await this.ports.historyTitles.titles(newer);
    if (!fetched) return undefined;
    for (const title of fetched) titles.set(title.title_id, title);
    return titles;
  }
}
