/** The last layer shared by every model: a classifier/regressor, or nothing when the loss owns the head. */
import type { ModelDeps } from '../core/types.js';
import * as tf from '../backends/tf.js';
import { type DenseOptions, type ForwardContext, dense, dropout } from './layers.js';
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
  multiSample: MultiSample | null = null,
): (embedding: tf.Tensor, ctx?: ForwardContext) => ForwardResult {
  if (deps.head === 'embeddings') return (embedding) => ({ output: embedding, embedding });
  const head = dense(b, 'head', embeddingDim, headWidth(deps), opts);
  const noContext = { training: false, dropoutSeed: () => 0, updates: [] };
  if (multiSample === null) return (embedding) => ({ output: head(embedding, noContext), embedding });
  // Inoue 2019: K dropout masks on the shared features, the head on each; in eval mode dropout is
  // off, so the K passes agree and one is taken
  const masks = Array.from({ length: multiSample.samples }, (_, k) => dropout(multiSample.rate, `multi_sample_${k}`));
  return (embedding, ctx) => {
    if (!ctx?.training) return { output: head(embedding, noContext), embedding };
    const samples = masks.map((drop) => head(drop(embedding, ctx), noContext));
    return { output: tf.div(tf.addN(samples), samples.length), embedding, samples };
  };
}

/** Multi-sample dropout on the head's input (Inoue 2019): K masks at `rate`, losses averaged. */
export interface MultiSample {
  readonly samples: number;
  readonly rate: number;
}
