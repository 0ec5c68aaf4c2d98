import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, logProbTarget, lossSchema, numClassesOf, oneHot, oneMinusExp, statelessObjective, type LossEntry } from './common.js';

const schema = lossSchema({
  order: z.number().int().min(1).default(2).describe('t: order of the Taylor series of −log p_y around p_y = 1 (1 gives MAE 1 − p_y; t → ∞ recovers CE). The paper\'s CIFAR-10 setting is 2.'),
});

/**
 * Taylor cross-entropy (Feng et al., IJCAI 2020): −log p_y = Σ_{k≥1} (1 − p_y)^k/k truncated at
 * order t. No official code was located; this is the paper's Eq. (Taylor series of CE). 1 − p_y is
 * −expm1(log p_y), exact near p_y = 1; the value is bounded by Σ_k 1/k.
 */
export const taylorCe: LossEntry<z.infer<typeof schema>> = {
  name: 'taylor-ce',
  summary: 'Taylor cross-entropy Σ_{k=1}^{t} (1 − p_y)^k/k, CE\'s series truncated at order t ("Can Cross Entropy Loss Be Robust to Label Noise?", Feng et al. 2020).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: { paper: 'Can Cross Entropy Loss Be Robust to Label Noise? (Feng, Shu, Lin, Lv, Li, An, IJCAI 2020)', source: 'paper Eq. (no official code located)' },
  create(o, deps) {
    const k = numClassesOf(deps, 'taylor-ce');
    return statelessObjective(classificationNeeds, ({ output, y }) => {
      const u = oneMinusExp(logProbTarget(output, oneHot(y, k)));
      // Horner: u·(1 + u·(1/2 + u·(1/3 + … + u/t)))
      let acc: tf.Tensor = tf.fill(u.shape, 1 / o.order);
      for (let i = o.order - 1; i >= 1; i--) acc = tf.add(tf.mul(acc, u), 1 / i);
      return tf.mul(acc, u);
    });
  },
};
