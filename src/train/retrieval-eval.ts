/**
 * When evaluation measures retrieval (recall@k, MAP@R on the model's embedding; metrics/retrieval.ts):
 * `train.retrieval` given → as given; `null` → never; absent → with the defaults when the loss
 * has no classifier (a pair-based metric-learning loss such as multi-similarity, whose only
 * useful evaluation is retrieval) or the dataset holds out classes (`dataset.class_split`, where
 * test accuracy is 0 by construction). No run that existed before either option measures it.
 */
import type { ExperimentConfig } from '../config/schema.js';
import type { Objective } from '../core/types.js';
import { retrievalSchema, type RetrievalOptions } from '../metrics/retrieval.js';

/** Whether the objective yields class probabilities: not an embeddings loss without probabilities(). */
export function hasClassifier(objective: Objective): boolean {
  return !(objective.needs.input === 'embeddings' && !objective.probabilities);
}

export function retrievalOf(config: Pick<ExperimentConfig, 'train' | 'dataset'>, objective: Objective): RetrievalOptions | undefined {
  const given = (config.train as { retrieval?: RetrievalOptions | null }).retrieval;
  if (given === null) return undefined;
  if (given !== undefined) return given;
  const split = (config.dataset as { class_split?: unknown }).class_split;
  const auto = !hasClassifier(objective) || (split !== undefined && split !== null);
  return auto ? retrievalSchema.parse({}) : undefined;
}
