import type { Labels, Sample } from './prometheus-text';

/** One successful scrape of a target's /metrics. */
export interface Scrape {
  readonly atMs: number;
  readonly samples: readonly Sample[];
}

export type LabelMatch = Readonly<Record<string, string>>;

/** What a series (a counter, a bucket) grew by over the window. */
export interface Increase {
  readonly labels: Labels;
  readonly increase: number;
}

function seriesKey(name: string, labels: Labels): string {
  return `${name}${JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))}`;
}

function matches(labels: Labels, match: LabelMatch): boolean {
  return Object.entries(match).every(([name, value]) => labels[name] === value);
}

/**
 * The latest scrape of a target and the one about a window earlier (the base): counters are read as their
 * increase between the two, over the time between them, as Prometheus's increase() and rate() do. Without
 * a base (a single scrape so far) nothing has increased yet.
 */
export class ScrapeWindow {
  private baseValues?: Map<string, number>;

  constructor(
    readonly latest: Scrape,
    readonly base?: Scrape,
  ) {}

  /** Seconds between the base and the latest scrape (0 without a base). */
  get elapsedS(): number {
    return this.base ? (this.latest.atMs - this.base.atMs) / 1000 : 0;
  }

  /** The latest samples of `name` whose labels include `match`. */
  current(name: string, match: LabelMatch = {}): Sample[] {
    return this.latest.samples.filter((sample) => sample.name === name && matches(sample.labels, match));
  }

  /** The increase of every series of `name` matching `match`; a series that restarted counts from zero. */
  increases(name: string, match: LabelMatch = {}): Increase[] {
    if (!this.base) return [];
    const before = this.baseIndex();
    return this.current(name, match).map(({ labels, value }) => {
      // A series absent from the base began after it; one that shrank was reset by a restart.
      const previous = before.get(seriesKey(name, labels)) ?? 0;
      return { labels, increase: value >= previous ? value - previous : value };
    });
  }

  /** The summed increase of the series of `name` matching `match`. */
  increase(name: string, match: LabelMatch = {}): number {
    return this.increases(name, match).reduce((sum, { increase }) => sum + increase, 0);
  }

  private baseIndex(): Map<string, number> {
    this.baseValues ??= new Map(this.base!.samples.map(({ name, labels, value }) => [seriesKey(name, labels), value]));
    return this.baseValues;
  }
}

/**
 * The recent scrapes of one target: the latest, and enough older ones that one is always about `windowMs`
 * before it. A target whose scrapes stopped (it is down) is forgotten once its latest one is older than the
 * window, so that stale rates never show as live ones.
 */
export class ScrapeHistory {
  private scrapes: Scrape[] = [];

  constructor(private readonly windowMs: number) {}

  add(scrape: Scrape): void {
    this.scrapes.push(scrape);
    const baseAtMs = scrape.atMs - this.windowMs;
    // Keep the newest scrape at or before the window's start, and nothing older.
    while (this.scrapes.length > 2 && this.scrapes[1]!.atMs <= baseAtMs) this.scrapes.shift();
  }

  /** The window as of `nowMs`, or undefined when nothing recent was scraped. */
  window(nowMs: number): ScrapeWindow | undefined {
    const latest = this.scrapes.at(-1);
    if (!latest || latest.atMs < nowMs - this.windowMs) {
      this.scrapes = [];
      return undefined;
    }
    return new ScrapeWindow(latest, this.scrapes.length > 1 ? this.scrapes[0] : undefined);
  }
}
