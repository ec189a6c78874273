/**
 * The grant's ranked CDN URLs as the player walks them: the best first, the next one when an appliance
 * errs or is gone, never back (an appliance that failed once in a play is not trusted again in it), and
 * no new AuthorizePlayback. The origin's URL is in the grant only when steering could not rank
 * appliances; it is tried last wherever it stands.
 */

export interface RankedCdnUrl {
  url: string;
  applianceId: string;
  rank: number;
}

export class CdnFailover {
  private readonly ranked: RankedCdnUrl[];
  private position = 0;
  /** Moves to a next URL so far. */
  failovers = 0;
  /** Appliances streamed from, in order of first use. */
  readonly applianceIds: string[] = [];

  constructor(urls: readonly RankedCdnUrl[], originId = 'origin') {
    const isOrigin = (url: RankedCdnUrl) => url.applianceId === originId;
    this.ranked = [...urls].sort((a, b) => Number(isOrigin(a)) - Number(isOrigin(b)) || a.rank - b.rank);
    if (this.ranked.length === 0) throw new Error('the grant has no CDN URL to stream from');
  }

  /** The URL to stream from now; undefined once every one has failed. */
  get current(): RankedCdnUrl | undefined {
    return this.ranked[this.position];
  }

  /** The URL a failure would move to. */
  get next(): RankedCdnUrl | undefined {
    return this.ranked[this.position + 1];
  }

  /** The current URL served a request: its appliance is one this play streamed from. */
  served(): void {
    const applianceId = this.current?.applianceId;
    if (applianceId !== undefined && !this.applianceIds.includes(applianceId)) this.applianceIds.push(applianceId);
  }

  /** The current URL failed: the next one, or undefined when none is left. */
  failed(): RankedCdnUrl | undefined {
    this.position++;
    if (this.current) this.failovers++;
    return this.current;
  }
}
