import type { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, lossSchema, numClassesOf, oneHot, oneMinusExp, powNonNeg, rowDot, statelessObjective, stopGradient, type LossEntry } from './common.js';

/**
 * NCE = log p_y / Σ_k log p_k ∈ [0, 1], both from logSoftmax (APL code, NormalizedCrossEntropy).
 * |Σ_k log p_k| ≥ K·log K > 0, so the ratio never divides by zero.
 */
export function nceTerm(logits: tf.Tensor, onehot: tf.Tensor): tf.Tensor1D {
  const logP = tf.logSoftmax(logits);
  return tf.div(rowDot(logP, onehot), tf.sum(logP, -1)) as tf.Tensor1D;
}

/**
 * NFL = FL(y)/Σ_k FL(k) with FL(k) = −(1 − p_k)^γ·log p_k. As in the APL code
 * (NormalizedFocalLoss), the (1 − p)^γ factors are detached (`.data`); only log p carries gradient.
 */
export function nflTerm(logits: tf.Tensor, onehot: tf.Tensor, gamma: number): tf.Tensor1D {
  const logP = tf.logSoftmax(logits);
  const factor = stopGradient(powNonNeg(oneMinusExp(logP), gamma));
  const fl = tf.neg(tf.mul(factor, logP));
  return tf.div(rowDot(fl, onehot), tf.maximum(tf.sum(fl, -1), 1e-30)) as tf.Tensor1D;
}

const schema = lossSchema({});

export const nce: LossEntry<z.infer<typeof schema>> = {
  name: 'nce',
  summary: 'Normalized cross-entropy log p_y / Σ_k log p_k ("Normalized Loss Functions for Deep Learning with Noisy Labels", Ma et al. 2020).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: { paper: 'Normalized Loss Functions for Deep Learning with Noisy Labels (Ma et al. ICML 2020)', repo: 'HanxunH/Active-Passive-Losses' },
  create(_o, deps) {
    const k = numClassesOf(deps, 'nce');
    return statelessObjective(classificationNeeds, ({ output, y }) => nceTerm(output, oneHot(y, k)));
  },
};
