import type { Title } from '@streamplane/contracts/catalog/v1';
import type {
  DemandPrediction__Input,
  GetHomeRowsResponse__Input,
  PredictDemandResponse__Input,
  Row__Input,
} from '@streamplane/contracts/recommendations/v1';
import type { NetworkRegion } from '@streamplane/streaming';
import type { HomeRowsAnswer } from '../application/home-rows';
import type { DemandPrediction, HomeRow } from '../domain';

/**
 * Mapping from recommendations domain objects to streamplane.recommendations.v1 messages. Titles are the
 * streamplane.catalog.v1.Title messages catalog sent, passed through as they are.
 */
export function toRowMessage(row: HomeRow<Title>): Row__Input {
  return {
    row_id: row.rowId,
    title: row.title,
    kind: `ROW_KIND_${row.kind}`,
    genre: row.genre,
    titles: [...row.titles],
    resume_position_seconds: { ...row.resumePositionSeconds },
  };
}

export function toHomeRowsResponse(answer: HomeRowsAnswer): GetHomeRowsResponse__Input {
  return { rows: answer.rows.map(toRowMessage), degraded: answer.degraded };
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
