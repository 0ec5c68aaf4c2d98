/**
 * The binary head's reading of the model output (needs.head 'binary'): one logit f(x) per example,
 * labels 0/1 mapped to y = 2t − 1 ∈ {−1, +1}, margin m = y·f (ensLoss `s_batch`), and
 * probabilities [1 − σ(f), σ(f)] for the metrics (p(class 1) = σ(f), so AUC reads σ(f)).
 */
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import type { LossContext, LossDeps, LossInput, LossNeeds } from '../core/types.js';

/** [batch, 1] (or [batch]) logit → [batch]; anything wider is a model built for another head. */
export function binaryLogit(output: tf.Tensor, name: string): tf.Tensor1D {
  const width = output.rank === 1 ? 1 : output.shape.slice(1).reduce((a, b) => a * b, 1);
  if (width !== 1) throw new RunnerError('CONFIG_INVALID', `loss "${name}" reads a binary head (one logit), but the model emits ${width} outputs per example`);
  return tf.reshape(output, [-1]) as tf.Tensor1D;
}

/** ±1 labels from class ids 0/1 (ensLoss `target = 2.*target - 1.`). */
export function plusMinus(y: tf.Tensor): tf.Tensor1D {
  return tf.sub(tf.mul(tf.cast(tf.reshape(y, [-1]), 'float32'), 2), 1) as tf.Tensor1D;
}

/** m_i = y_i·f(x_i). */
export function binaryMargin(input: LossInput, name: string): tf.Tensor1D {
  return tf.mul(binaryLogit(input.output, name), plusMinus(input.y)) as tf.Tensor1D;
}

/** [1 − σ(f), σ(f)] as sigmoid(∓f): exact at saturated logits, rows sum to 1. */
export function binaryProbabilities(input: LossInput, name: string): tf.Tensor2D {
  const f = binaryLogit(input.output, name);
  return tf.sigmoid(tf.stack([tf.neg(f), f], 1)) as tf.Tensor2D;
}

/** A binary-head loss needs a 2-class dataset; the config rules say so first (config/rules.ts binaryHeadFitsData). */
export function requireTwoClasses(deps: LossDeps, name: string): void {
  const k = deps.data.numClasses;
  if (deps.data.task !== 'classification' || k !== 2) {
    throw new RunnerError('CONFIG_INVALID', `loss "${name}" uses a binary head (one logit), which needs a 2-class dataset (got ${deps.data.task === 'classification' ? `${k} classes` : 'a regression task'})`);
  }
}

export const binaryNeeds: LossNeeds = { input: 'logits', reduction: 'per-example', task: 'classification' };

/** Probability map of every binary-head objective. */
export function binaryProbabilityMap(name: string): (input: LossInput, ctx: LossContext) => tf.Tensor2D {
  return (input) => binaryProbabilities(input, name);
}
