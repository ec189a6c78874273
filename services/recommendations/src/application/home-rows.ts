import type { Title } from '@streamplane/contracts/catalog/v1';
import type { Logger } from '@streamplane/platform';
import { fallbackHomeRows, personalisedHomeRows, type HomeRow, type HomeRowsLimits } from '../domain';
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
 * Assembles GetHomeRows: the profile and its history from profiles (in parallel), the history's titles
 * from catalog, everything else from the catalog snapshot. When any of them cannot answer, the answer is
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
    const historyTitles = profile && history ? await this.titlesOf(history.map((entry) => entry.titleId)) : undefined;

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

  /** The history's titles by id; undefined when catalog cannot answer. No call for an empty history. */
  private async titlesOf(titleIds: readonly string[]): Promise<Map<string, Title> | undefined> {
    if (titleIds.length === 0) return new Map();
    const titles = await this.ports.historyTitles.titles(titleIds);
    return titles && new Map(titles.map((title) => [title.title_id, title]));
  }
}
