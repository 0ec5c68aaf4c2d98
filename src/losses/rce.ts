import type { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, logProbTarget, lossSchema, numClassesOf, oneHot, oneMinusExp, statelessObjective, type LossEntry } from './common.js';

/** log 0 := A = log(1e-4), the APL code's clamp of the one-hot label. */
export const RCE_LOG_ZERO = Math.log(1e-4);

/**
 * RCE = −Σ_k p_k·log q_k = −A·(1 − p_y) ≈ 9.21·(1 − p_y). The APL code also clamps p ≥ 1e-7 before
 * summing, which adds at most 9.21·(K − 1)·1e-7; it is omitted here (1 − p_y = −expm1(log p_y)).
 */
export function rceTerm(logits: tf.Tensor, onehot: tf.Tensor): tf.Tensor1D {
  return tf.mul(oneMinusExp(logProbTarget(logits, onehot)), -RCE_LOG_ZERO) as tf.Tensor1D;
}

const schema = lossSchema({});

export const rce: LossEntry<z.infer<typeof schema>> = {
  name: 'rce',
  summary: 'Reverse cross-entropy −Σ_k p_k·log q_k with log 0 := log 1e-4 ("Symmetric Cross Entropy for Robust Learning with Noisy Labels", Wang et al. 2019; APL code).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: { paper: 'Symmetric Cross Entropy for Robust Learning with Noisy Labels (Wang et al. ICCV 2019); Normalized Loss Functions… (Ma et al. 2020)', repo: 'HanxunH/Active-Passive-Losses' },
  create(_o, deps) {
    const k = numClassesOf(deps, 'rce');
    return statelessObjective(classificationNeeds, ({ output, y }) => rceTerm(output, oneHot(y, k)));
  },
};
