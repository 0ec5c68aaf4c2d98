/**
 * KL-DRO / loss-based instance reweighting (catalogue b45/b47): detached batch weights
 * w_i = B·softmax(ℓ/τ)_i (mean weight 1), value w_i·ℓ_i per example, so the trainer's mean is
 * Σ_i softmax(ℓ/τ)_i·ℓ_i. The closed-form inner maximiser of the KL-regularised DRO objective
 * max_q Σ q_i ℓ_i − τ·KL(q ‖ uniform). τ > 0 up-weights hard examples (DRO); τ < 0 down-weights
 * them (noisy labels). Weights are detached: the gradient is the weighted base gradient.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { lossSchema, stopGradient, type LossEntry } from './common.js';
import { baseSlot, buildBase, wrapObjective } from './wrapper.js';

const schema = lossSchema({
  tau: z
    .number()
    .finite()
    .refine((t) => t !== 0, { message: 'tau must be nonzero' })
    .describe('Temperature τ of w ∝ exp(ℓ/τ): τ > 0 up-weights high-loss examples (KL-DRO), τ < 0 down-weights them; |τ| → ∞ is plain ERM.'),
});

/** B·softmax(ℓ/τ), detached. */
export function klDroWeights(values: tf.Tensor1D, tau: number): tf.Tensor1D {
  return tf.tidy(() => stopGradient(tf.mul(tf.softmax(tf.div(values, tau)), values.shape[0]!)) as tf.Tensor1D);
}

export const klDro: LossEntry<z.infer<typeof schema>> = {
  name: 'kl-dro',
  summary: 'KL-DRO reweighting of its `base:` per-example losses: detached w ∝ exp(ℓ/τ) with mean 1 over the batch, value w_i·ℓ_i (τ < 0 down-weights hard examples).',
  schema,
  nested: baseSlot,
  needs: { task: 'any', input: 'logits', wraps: 'base', baseReduction: 'per-example' },
  info: {
    paper: 'KL-regularised DRO closed form (catalogue b45/b47; e.g. Qi et al. 2021, "An online method for a class of DRO problems with imbalanced data")',
    source: 'no official code; closed form w_i = B·softmax(ℓ/τ)_i, detached',
    example: '{"tau":1,"base":{"name":"cross-entropy"}}',
    gradient: 'weights are detached by design: the gradient is Σ_i w_i∇ℓ_i/B, not the derivative of the reported value',
    evaluation: 'the base loss, unweighted',
  },
  create(o, deps) {
    const base = buildBase('kl-dro', o, deps, { verb: 'reweights' });
    return wrapObjective(base, 'per-example', (values) => tf.mul(klDroWeights(values as tf.Tensor1D, o.tau), values));
  },
};
