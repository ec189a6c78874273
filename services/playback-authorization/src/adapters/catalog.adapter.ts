import type { ClientOf } from '@streamplane/contracts';
import type { EncodingLadders, Titles } from '../application/ports';
import type { Rendition, TitleFacts } from '../domain';

/** The catalog through its resilient client; declared fail closed, so `call()` throws UNAVAILABLE naming it. */
export class CatalogAdapter implements Titles, EncodingLadders {
  constructor(private readonly client: ClientOf<'catalog'>) {}

  async title(titleId: string): Promise<TitleFacts> {
    const answer = await this.client.call('GetTitle', { title_id: titleId });
    return {
      titleId: answer.title_id,
      maturityLevel: answer.maturity_level,
      availableCountries: answer.available_countries,
    };
  }

  async ladder(titleId: string): Promise<Rendition[]> {
    const answer = await this.client.call('GetEncodingLadder', { title_id: titleId });
    return answer.renditions.map((rendition) => ({
      codec: rendition.codec,
      width: rendition.width,
      height: rendition.height,
      bitrateKbps: rendition.bitrate_kbps,
      hdr: rendition.hdr,
    }));
  }
}
