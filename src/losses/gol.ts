/**
 * Gumbel optimized loss (Alexandridis et al. ECCV 2022, "Long-tailed Instance Segmentation using
 * Gumbel Optimized Loss"; kostas1515/GOL): per-class Gumbel (complementary log-log) activation
 * p_k = exp(−exp(−z_k)) on z clamped to [−4, 10] as the official Gumbel activation, then
 * one-vs-rest binary cross-entropy, summed (or averaged) over the K classes like sigmoid-bce.
 * float32: log p = −exp(−z) and log(1 − p) = log(−expm1(−exp(−z))), both finite on the clamp range.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import type { LossInput } from '../core/types.js';
import { classificationNeeds, extraSlot, lossSchema, numClassesOf, oneHot, statelessObjective, type LossEntry } from './common.js';

const schema = lossSchema({
  clamp_min: z.number().finite().default(-4).describe('Lower clamp of the logits before the Gumbel activation (official −4; p = exp(−e⁴) ≈ 2e-24).'),
  clamp_max: z.number().finite().default(10).describe('Upper clamp of the logits (official 10; 1 − p ≈ 4.5e-5).'),
  class_reduction: z.enum(['sum', 'mean']).default('sum').describe("How the K per-class terms make the per-example value: 'sum' (as sigmoid-bce) or 'mean' (÷K)."),
});

/** −log p_k and −log(1 − p_k) of the Gumbel activation on clamped logits. */
function gumbelTerms(z: tf.Tensor, lo: number, hi: number): { negLogP: tf.Tensor; negLog1mP: tf.Tensor } {
  const e = tf.exp(tf.neg(tf.clipByValue(z, lo, hi)));
  return { negLogP: e, negLog1mP: tf.neg(tf.log(tf.neg(tf.expm1(tf.neg(e))))) };
}

/** Per-class Gumbel probabilities normalised to sum 1 per row (argmax = the logits' argmax). */
function gumbelProbabilities(input: LossInput, lo: number, hi: number): tf.Tensor2D {
  return tf.softmax(tf.neg(tf.exp(tf.neg(tf.clipByValue(input.output, lo, hi))))) as tf.Tensor2D;
}

export const gol: LossEntry<z.infer<typeof schema>> = {
  name: 'gol',
  summary: 'Gumbel optimized loss: one-vs-rest BCE on Gumbel activations p_k = exp(−exp(−z_k)) (Alexandridis et al. 2022, kostas1515/GOL).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits', head: 'sigmoid' },
  info: {
    paper: 'Long-tailed Instance Segmentation using Gumbel Optimized Loss (Alexandridis, Deng, Shi, Kaski, Zafeiriou ECCV 2022)',
    source: 'kostas1515/GOL Gumbel activation torch.exp(-torch.exp(-torch.clamp(x, min=-4, max=10))) with binary cross-entropy per class',
    probabilities: 'per-class Gumbel probabilities normalised to sum 1',
    note: 'the gradient is zero outside the clamp range [clamp_min, clamp_max], as with the official clamp',
  },
  create(o, deps) {
    if (!(o.clamp_min < o.clamp_max)) throw new RunnerError('CONFIG_INVALID', `gol: clamp_min (${o.clamp_min}) must be below clamp_max (${o.clamp_max})`);
    const k = numClassesOf(deps, 'gol');
    return statelessObjective(
      classificationNeeds,
      ({ output, y }) => {
        const t = oneHot(y, k);
        const { negLogP, negLog1mP } = gumbelTerms(output, o.clamp_min, o.clamp_max);
        const bce = tf.add(tf.mul(t, negLogP), tf.mul(tf.sub(1, t), negLog1mP));
        return (o.class_reduction === 'sum' ? tf.sum(bce, -1) : tf.mean(bce, -1)) as tf.Tensor1D;
      },
      (input) => gumbelProbabilities(input, o.clamp_min, o.clamp_max),
    );
  },
};
