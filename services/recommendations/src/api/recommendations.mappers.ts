import type { Title } from '@streamplane/contracts/catalog/v1';
import type {
  DemandPrediction__Input,
  PredictDemandResponse__Input,
  Row__Input,
} from '@streamplane/contracts/recommendations/v1';
import type { NetworkRegion } from '@streamplane/streaming';
import type { DemandPrediction, HomeRow } from '../domain';

/**
 * Mapping from recommendations domain objects to streamplane.recommendations.v1 messages. Titles are the
 * streamplane.catalog.v1.Title messages catalog sent, trimmed to what a row shows the viewer in `country`:
 * a home screen holds about two hundred titles, and each one's full list of countries, its synopsis and
 * its names in every language were most of the answer's bytes (and of the time both ends spend encoding
 * and decoding it). A row shows one name in the viewer's country; the request carries no language to pick
 * a localized one by, and the synopsis and localized names are one GetTitle away when the viewer opens
 * the title.
 */
export function toRowTitle(title: Title, country: string): Title {
  return { ...title, available_countries: [country], synopsis: '', localized_names: {} };
}

/** A row message without its titles: they are encoded apart, once (home-rows.encoding.ts). */
export function toRowHeading(row: HomeRow<Title>): Row__Input {
  return {
    row_id: row.rowId,
    title: row.title,
    kind: `ROW_KIND_${row.kind}`,
    genre: row.genre,
    titles: [],
    resume_position_seconds: { ...row.resumePositionSeconds },
  };
}

export function toDemandPredictionMessage(prediction: DemandPrediction): DemandPrediction__Input {
  return { title_id: prediction.titleId, expected_plays: prediction.expectedPlays, score: prediction.score };
}

export function toPredictDemandResponse(
  region: NetworkRegion,
  predictions: readonly DemandPrediction[],
): PredictDemandResponse__Input {
  return { region: region.name, predictions: predictions.map(toDemandPredictionMessage) };
}
