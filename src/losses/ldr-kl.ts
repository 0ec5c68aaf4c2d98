import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, lossSchema, numClassesOf, oneHot, rowDot, statelessObjective, type LossEntry } from './common.js';

/**
 * Logit normalisation of the official LDR code (Optimization-AI/ICML2023_LDR `loss.py`):
 * - 'none': raw logits (the paper's formulation);
 * - 'l1': z̃ = z / (‖z‖₁/K), as `ALDRLoss_V1` (softplus=False, its default);
 * - 'softplus-l1': s = softplus(z), z̃ = s / (‖s‖₁/K) = s / mean_k s_k, as `LDRLoss_V1` (always) and
 *   `ALDRLoss_V1(softplus=True)` (the official CIFAR-100 setting).
 * The gradient flows through the normaliser (not detached), as in the official code. ‖z‖₁ is
 * computed as Σ_k √(z_k² + 1e-12) (minima's norm convention), so all-zero logits give z̃ = 0 with a
 * finite gradient instead of the official 0/0.
 */
export type LogitNormalization = 'none' | 'l1' | 'softplus-l1';

export function normalizationOption(defaultValue: LogitNormalization) {
  return z
    .enum(['none', 'l1', 'softplus-l1'])
    .default(defaultValue)
    .describe(
      "Logit normalisation before the loss: 'none' (raw logits, the paper's form), 'l1' (z/(‖z‖₁/K), official ALDRLoss_V1), 'softplus-l1' (softplus(z)/mean_k softplus(z), official LDRLoss_V1 and ALDRLoss_V1(softplus=True)).",
    );
}

export function normalizeLogits(logits: tf.Tensor, mode: LogitNormalization): tf.Tensor2D {
  if (mode === 'none') return logits as tf.Tensor2D;
  const k = logits.shape[logits.shape.length - 1]!;
  const s = mode === 'softplus-l1' ? tf.softplus(logits) : logits;
  const l1 = tf.sum(tf.sqrt(tf.add(tf.square(s), 1e-12)), -1, true);
  return tf.div(s, tf.div(l1, k)) as tf.Tensor2D;
}

const schema = lossSchema({
  lambda: z.number().positive().describe('λ > 0 (required; no default recorded): KL regularisation strength. λ → 0 gives the Crammer-Singer hinge, c = 0 gives λ·CE(z/λ) − λ·log K.'),
  c: z.number().min(0).describe('c ≥ 0 (required; no default recorded): margin added to every non-target logit.'),
  normalize: normalizationOption('none'),
});

/**
 * LDR-KL: ℓ = max_{p∈Δ} Σ_k p_k(c·1[k≠y] + z_k − z_y) − λ·KL(p ‖ 1/K)
 *           = λ·(lse_k((c·1[k≠y] + z_k − z_y)/λ) − log K).
 * Applied to raw logits by default; `normalize: softplus-l1` applies it to softplus(z)/mean_k
 * softplus(z) as the official `LDRLoss_V1` does (Optimization-AI/ICML2023_LDR `loss.py`).
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
    source: 'Optimization-AI/ICML2023_LDR loss.py LDRLoss_V1 (normalize: softplus-l1)',
    example: '{"lambda":1,"c":1}',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'ldr-kl');
    const mode = o.normalize ?? 'none';
    return statelessObjective(classificationNeeds, ({ output, y }) => {
      const z = normalizeLogits(output, mode);
      const q = oneHot(y, k);
      const zy = tf.expandDims(rowDot(z, q), 1);
      const shifted = tf.add(tf.sub(z, zy), tf.mul(tf.sub(1, q), o.c));
      return tf.mul(tf.sub(tf.logSumExp(tf.div(shifted, o.lambda), -1), Math.log(k)), o.lambda);
    });
  },
};
