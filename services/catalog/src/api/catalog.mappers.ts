/**
 * Mapping from catalog domain objects to streamplane.catalog.v1 messages (types generated from the
 * proto by `npm run build`).
 */
import type {
  GetEncodingLadderResponse__Input,
  ListTitlesResponse__Input,
  Rendition__Input,
  Title__Input,
} from '@streamplane/contracts/catalog/v1';
import type { EncodingLadder, ListTitlesResponse, Rendition, Title } from '../domain';

// Titles are immutable, so each one's message is built once and then reused by every response.
const titleMessages = new WeakMap<Title, Title__Input>();

export function toTitleMessage(title: Title): Title__Input {
  let message = titleMessages.get(title);
  if (!message) {
    message = {
      title_id: title.titleId,
      name: title.name,
      type: `TITLE_TYPE_${title.type}`,
      genres: title.genres,
      maturity_rating: title.maturityRating,
      maturity_level: title.maturityLevel,
      release_year: title.releaseYear,
      runtime_minutes: title.runtimeMinutes,
      available_countries: title.availableCountries,
      synopsis: title.synopsis,
      hdr_available: title.hdrAvailable,
      localized_names: title.localizedNames,
    };
    titleMessages.set(title, message);
  }
  return message;
}

function toRenditionMessage(rendition: Rendition): Rendition__Input {
  return {
    codec: rendition.codec,
    width: rendition.width,
    height: rendition.height,
    bitrate_kbps: rendition.bitrateKbps,
    hdr: rendition.hdr,
  };
}

export function toEncodingLadderMessage(ladder: EncodingLadder): GetEncodingLadderResponse__Input {
  return { title_id: ladder.titleId, renditions: ladder.renditions.map(toRenditionMessage) };
}

/** The `titles` of BatchGetTitles and SearchTitles responses. */
export function toTitlesMessage(titles: readonly Title[]): { titles: Title__Input[] } {
  return { titles: titles.map(toTitleMessage) };
}

export function toListTitlesMessage(page: ListTitlesResponse): ListTitlesResponse__Input {
  return { titles: page.titles.map(toTitleMessage), next_page_token: page.nextPageToken };
}
