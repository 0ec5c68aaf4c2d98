/** The last layer shared by every model: a classifier/regressor, or nothing when the loss owns the head. */
import type * as tf from '../backends/tf.js';
import type { ModelDeps } from '../core/types.js';
import { type DenseOptions, dense } from './layers.js';
import type { ForwardResult } from './functional-model.js';
import type { ParamBuilder } from './param-builder.js';

/** Width of the model's output for a head: 1 for the binary head, else the dataset's outputDim. */
export function headWidth(deps: Pick<ModelDeps, 'data' | 'head'>): number {
  return deps.head === 'binary' ? 1 : deps.head === 'gaussian' ? 2 * deps.data.outputDim : deps.data.outputDim;
}

/**
 * Returns embedding → {output, embedding}; the dense `head` layer exists for head 'logits'
 * (K outputs), 'binary' (one logit f(x), for a 2-class dataset read as margins y·f) and
 * 'gaussian' (2·D outputs [mean | log-variance] of a D-dim regression).
 */
export function outputHead(
  b: ParamBuilder,
  deps: ModelDeps,
  embeddingDim: number,
  opts: DenseOptions = {},
): (embedding: tf.Tensor) => ForwardResult {
  if (deps.head === 'embeddings') return (embedding) => ({ output: embedding, embedding });
  const head = dense(b, 'head', embeddingDim, headWidth(deps), opts);
  const noContext = { training: false, dropoutSeed: () => 0, updates: [] };
  return (embedding) => ({ output: head(embedding, noContext), embedding });
}
