import type { Title } from '@streamplane/contracts/catalog/v1';
import { Logger } from '@streamplane/platform';
import type { CatalogSnapshots, HistoryTitles, ProfileDirectory, ProfileFacts } from '../../src/application/ports';
import { CatalogSnapshot, type WatchedTitle } from '../../src/domain';

/** A streamplane.catalog.v1.Title with every field, as catalog sends it. */
export function aTitle(overrides: Partial<Title> & Pick<Title, 'title_id'>): Title {
  return {
    name: `Title ${overrides.title_id}`,
    type: 'TITLE_TYPE_MOVIE',
    genres: ['drama'],
    maturity_rating: 'PG',
    maturity_level: 0,
    release_year: 2020,
    runtime_minutes: 100,
    available_countries: ['US'],
    synopsis: '',
    hdr_available: false,
    localized_names: {},
    ...overrides,
  };
}

/** A snapshot source that has loaded `titles`, or none yet. */
export function loadedSnapshot(titles: readonly Title[]): CatalogSnapshots {
  const snapshot = new CatalogSnapshot(titles);
  return { current: () => snapshot };
}

/** A port method that answers `answer` (undefined: its service cannot answer) and counts its calls. */
export function answering<Args extends unknown[], Answer>(
  answer: (...args: Args) => Answer | undefined,
): ((...args: Args) => Promise<Answer | undefined>) & { calls: Args[] } {
  const calls: Args[] = [];
  return Object.assign(
    (...args: Args) => {
      calls.push(args);
      return Promise.resolve(answer(...args));
    },
    { calls },
  );
}

export class FakeProfiles implements ProfileDirectory {
  profile = answering((_profileId: string): ProfileFacts | undefined => this.facts);
  viewingHistory = answering((_profileId: string, _entries: number): WatchedTitle[] | undefined => this.history);

  constructor(
    public facts: ProfileFacts | undefined,
    public history: WatchedTitle[] | undefined,
  ) {}
}

export class FakeHistoryTitles implements HistoryTitles {
  titles = answering((titleIds: readonly string[]): Title[] | undefined =>
    this.reachable ? this.catalog.filter((title) => titleIds.includes(title.title_id)) : undefined,
  );

  constructor(
    private readonly catalog: readonly Title[],
    public reachable = true,
  ) {}
}

/** A logger at debug level whose lines the test reads. */
export function recordingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = new Logger('recommendations', 'debug', {}, (line) => lines.push(JSON.parse(line)));
  return { logger, lines };
}
