import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, logProbTarget, lossSchema, numClassesOf, oneHot, statelessObjective, type LossEntry } from './common.js';

const schema = lossSchema({
  tau: z
    .number()
    .min(0)
    .describe('τ (required; the paper fixes no default): 0 sum-exponential, 1 CE, 1 < τ < 2 GCE with q = τ − 1, 2 MAE (1 − p_y).'),
});

/** exp(x) overflows float32 above ~88.7; the comp-sum value saturates (zero gradient) past this. */
const MAX_EXP = 80;

/**
 * Φ^τ: ℓ_τ = ((1 + u)^{1−τ} − 1)/(1 − τ) with u = 1/p_y − 1, i.e. expm1((1 − τ)·CE)/(1 − τ) with
 * CE = −log p_y (continuous at τ = 1, where it is CE). For τ < 1, (1 − τ)·CE is clamped at 80.
 */
export function compSumTerm(logits: tf.Tensor, onehot: tf.Tensor, tau: number): tf.Tensor1D {
  const ce = tf.neg(logProbTarget(logits, onehot));
  if (tau === 1) return ce;
  const a = 1 - tau;
  const x = a > 0 ? tf.minimum(tf.mul(ce, a), MAX_EXP) : tf.mul(ce, a);
  return tf.div(tf.expm1(x), a) as tf.Tensor1D;
}

export const compSum: LossEntry<z.infer<typeof schema>> = {
  name: 'comp-sum',
  summary: 'Comp-sum family Φ^τ = (p_y^{τ−1} − 1)/(1 − τ) ("Cross-Entropy Loss Functions: Theoretical Analysis and Applications", Mao, Mohri, Zhong 2023).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: { paper: 'Cross-Entropy Loss Functions: Theoretical Analysis and Applications (Mao, Mohri, Zhong ICML 2023)', example: '{"tau":0.5}' },
  create(o, deps) {
    const k = numClassesOf(deps, 'comp-sum');
    return statelessObjective(classificationNeeds, ({ output, y }) => compSumTerm(output, oneHot(y, k), o.tau));
  },
};
