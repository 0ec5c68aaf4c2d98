import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, lossSchema, numClassesOf, oneHot, rowDot, statelessObjective, type LossEntry } from './common.js';

const schema = lossSchema({
  lambda: z.number().positive().describe('λ > 0 (required; no default recorded): KL regularisation strength. λ → 0 gives the Crammer-Singer hinge, c = 0 gives λ·CE(z/λ) − λ·log K.'),
  c: z.number().min(0).describe('c ≥ 0 (required; no default recorded): margin added to every non-target logit.'),
});

/**
 * LDR-KL: ℓ = max_{p∈Δ} Σ_k p_k(c·1[k≠y] + z_k − z_y) − λ·KL(p ‖ 1/K)
 *           = λ·(lse_k((c·1[k≠y] + z_k − z_y)/λ) − log K).
 * Applied to raw logits; the softplus-normalised variant of a third-party port is not applied.
 */
export const ldrKl: LossEntry<z.infer<typeof schema>> = {
  name: 'ldr-kl',
  summary: 'Label-distributionally-robust loss with KL regulariser λ·(lse_k((c·1[k≠y] + z_k − z_y)/λ) − log K) (Zhu, Ying, Yang ICML 2023).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: {
    paper: 'Label Distributionally Robust Losses for Multi-class Classification: Consistency, Robustness and Adaptivity (Zhu, Ying, Yang ICML 2023)',
    repo: 'Optimization-AI/ICML2023_LDR',
    example: '{"lambda":1,"c":1}',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'ldr-kl');
    return statelessObjective(classificationNeeds, ({ output, y }) => {
      const q = oneHot(y, k);
      const zy = tf.expandDims(rowDot(output, q), 1);
      const shifted = tf.add(tf.sub(output, zy), tf.mul(tf.sub(1, q), o.c));
      return tf.mul(tf.sub(tf.logSumExp(tf.div(shifted, o.lambda), -1), Math.log(k)), o.lambda);
    });
  },
};
