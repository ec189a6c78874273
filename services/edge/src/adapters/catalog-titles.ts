import type { ClientOf } from '@streamplane/contracts';
import { BoundedCache, isStatusError, NotFoundError, statusName, UnavailableError } from '@streamplane/platform';
import { titleMedia, type TitleMedia } from '../domain';
import type { TitleMediaSource } from '../application/ports';

/** A title id no title has: the readiness probe's question, which any catalog that answers can answer. */
const PROBE_TITLE_ID = 'edge-readiness-probe';

/**
 * Catalog through its resilient client. A title's runtime and ladder never change once seeded, so each is
 * asked once and kept (bounded); segment requests do not call catalog again.
 */
export class CatalogTitles implements TitleMediaSource {
  private readonly known: BoundedCache<string, TitleMedia>;

  constructor(
    private readonly client: ClientOf<'catalog'>,
    cacheSize: number,
  ) {
    this.known = new BoundedCache(cacheSize, (titleId) => this.load(titleId));
  }

  media(titleId: string): Promise<TitleMedia> {
    return this.known.get(titleId);
  }

  async reachable(): Promise<boolean> {
    try {
      await this.client.call('GetTitle', { title_id: PROBE_TITLE_ID, country: '' });
      return true;
    } catch (error) {
      return answered(error);
    }
  }

  private async load(titleId: string): Promise<TitleMedia> {
    try {
      const [title, ladder] = await Promise.all([
        this.client.call('GetTitle', { title_id: titleId, country: '' }),
        this.client.call('GetEncodingLadder', { title_id: titleId }),
      ]);
      return titleMedia(
        title.title_id,
        title.runtime_minutes,
        ladder.renditions.map((rung) => ({
          codec: rung.codec,
          width: rung.width,
          height: rung.height,
          bitrateKbps: rung.bitrate_kbps,
          hdr: rung.hdr,
        })),
      );
    } catch (error) {
      // A malformed id names no title either: to a viewer both are a 404.
      if (answered(error)) throw new NotFoundError('title', titleId);
      throw new UnavailableError('catalog is unavailable');
    }
  }
}

/** True when catalog answered the call, with a refusal of the caller's request. */
function answered(error: unknown): boolean {
  return isStatusError(error) && ['NOT_FOUND', 'INVALID_ARGUMENT'].includes(statusName(error.code));
}
